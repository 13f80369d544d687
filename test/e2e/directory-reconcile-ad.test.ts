import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guidToString } from '../../src/connectors/ad/index.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import type { ReconcileResult } from '../../src/engine/types.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, FULL_NAME, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';
import { csv, person } from './helpers.js';

/** userAccountControl flags (MS-ADTS 2.2.16), spelled out here rather than taken from the connector under test. */
const NORMAL_ACCOUNT = 0x200;
const ACCOUNTDISABLE = 0x2;
const DONT_EXPIRE_PASSWORD = 0x10000;
/** The users made before Roster came, by sAMAccountName. */
const PRESENT = ['alovelace', 'ghopper', 'old.contractor', 'kjohnson', 'katherine.j'] as const;
const ROSTER_BIN = join(import.meta.dirname, '..', '..', 'bin', 'roster.mjs');

interface AdUser {
  readonly dn: string;
  readonly guid: string;
  readonly uac: number;
  /** Moves on every write to the user: equal before and after means untouched. */
  readonly usn: string;
  readonly mail: string | undefined;
  readonly employeeID: string | undefined;
  readonly displayName: string | undefined;
}

/**
 * Roster introduced into a Samba AD DC that already has people (added over
 * LDAPS with ldapts, not by Roster): reconcile links them by employeeID, then
 * by mail (trimmed, case-insensitive), with the objectGUID as the link id, and
 * reports the orphan and the dispute; the next sync creates no duplicates
 * and revokes no membership in a group outside groups.base (not Roster's).
 * Then `roster reconcile --json --yes` with `orphans: disable` disables the
 * orphan only within the safety limit, keeping its other userAccountControl
 * flags, and leaves the disputed users alone. Few people: Samba creates
 * users at about 25/s.
 */
describe('reconcile an existing Active Directory (Samba AD DC)', () => {
  let samba: RunningSamba;
  let engine: Engine | undefined;
  let dir: string;
  let admin: Client;
  let people = 'OU=People';
  // A driven clock that still moves: the executor's retry backoff is due against this clock.
  const offset = new Date('2026-11-27T09:00:00Z').getTime() - Date.now();
  const now = () => new Date(Date.now() + offset);

  async function user(sAMAccountName: string): Promise<AdUser> {
    const { searchEntries } = await admin.search(samba.rosterOU, {
      scope: 'sub', filter: `(&(objectCategory=person)(objectClass=user)(sAMAccountName=${sAMAccountName}))`,
      attributes: ['objectGUID', 'userAccountControl', 'uSNChanged', 'mail', 'employeeID', 'displayName'], explicitBufferAttributes: ['objectGUID'],
    });
    expect(searchEntries).toHaveLength(1);
    const e = searchEntries[0]!;
    // ldapts gives [] for an attribute the entry does not have.
    const text = (v: unknown) => (v === undefined || (Array.isArray(v) && v.length === 0) ? undefined : String(v));
    return {
      dn: e.dn, guid: guidToString(e.objectGUID as Buffer), uac: Number(e.userAccountControl), usn: String(e.uSNChanged),
      mail: text(e.mail), employeeID: text(e.employeeID), displayName: text(e.displayName),
    };
  }
  async function users(names: readonly string[]): Promise<Map<string, AdUser>> {
    return new Map(await Promise.all(names.map(async (name) => [name, await user(name)] as const)));
  }
  const vpnGroup = () => `CN=VPN Users,CN=Users,${samba.baseDN}`;
  /** The groups a user is directly in, by DN, as AD reads them (memberOf). */
  async function memberOf(sAMAccountName: string): Promise<string[]> {
    const { searchEntries } = await admin.search(samba.baseDN, { scope: 'sub', filter: `(sAMAccountName=${sAMAccountName})`, attributes: ['memberOf'] });
    const value = searchEntries[0]?.memberOf ?? [];
    return (Array.isArray(value) ? value : [value]).map(String).sort();
  }
  /** Every user below the Roster OU by sAMAccountName: a duplicate shows as an extra name. */
  async function accountNames(): Promise<string[]> {
    const { searchEntries } = await admin.search(samba.rosterOU, { scope: 'sub', filter: '(&(objectCategory=person)(objectClass=user))', attributes: ['sAMAccountName'] });
    return searchEntries.map((e) => String(e.sAMAccountName)).sort();
  }
  /** A user made outside Roster, enabled (so with a password, which AD takes over LDAPS only). */
  async function addUser(cn: string, sAMAccountName: string, uac: number, extra: Record<string, string>): Promise<void> {
    const values: Record<string, string | Buffer> = {
      objectClass: 'user', sAMAccountName, displayName: cn, userAccountControl: String(uac),
      unicodePwd: Buffer.from('"Legacy-Passw0rd!x"', 'utf16le'), ...extra,
    };
    await admin.add(`CN=${cn},${people}`, Object.entries(values).map(([type, v]) => new Attribute({ type, values: [v] as string[] | Buffer[] })));
  }
  function writeConfig(orphans: 'report' | 'disable', maxDisables: string): void {
    writeFileSync(join(dir, 'roster.yaml'), adProjectYaml(samba, {
      usersDn: `CN={displayName},${people}`,
      attributes: {
        sAMAccountName: UNIQUE_GIVEN_DOT_FAMILY, displayName: FULL_NAME, givenName: 'identity.givenName', sn: 'identity.familyName',
        email: 'identity.email', employeeID: 'identity.employeeId',
      },
      safety: `{ maxDeletes: 0, maxDisables: ${maxDisables}, minAccounts: 0 }`,
      orphans,
    }));
  }
  /** `roster reconcile --json --yes` in a process of its own: the JSON report and the exit code. */
  function cliReconcile(): { report: ReconcileResult; status: number | null } {
    const result = spawnSync(process.execPath, [ROSTER_BIN, 'reconcile', '--config', join(dir, 'roster.yaml'), '--target', 'corp-ad', '--json', '--yes'], {
      encoding: 'utf8', env: { ...process.env, ROSTER_E2E_AD_PASSWORD: samba.password }, timeout: 60_000,
    });
    if (result.stdout.trim() === '') throw new Error(`roster reconcile printed nothing (exit ${result.status}): ${result.stderr}`);
    return { report: JSON.parse(result.stdout) as ReconcileResult, status: result.status };
  }

  beforeAll(async () => {
    samba = await startSamba();
    people = `OU=People,${samba.rosterOU}`;
    admin = await adminClient(samba);
    dir = adProjectDir('roster-ad-reconcile-', samba);
    // Linked by employeeID although its mail and display name are out of date.
    await addUser('Ada King', 'alovelace', NORMAL_ACCOUNT, { employeeID: 'E1', mail: 'ada@old-domain.example', givenName: 'Ada', sn: 'King' });
    // No employeeID: linked by mail, which differs only in case and surrounding spaces.
    await addUser('Grace Hopper', 'ghopper', NORMAL_ACCOUNT, { mail: '  Grace.Hopper@EXAMPLE.com ', givenName: 'Grace', sn: 'Hopper' });
    // Nobody in HR: an orphan, whose password never expires (a flag a disable must keep).
    await addUser('Old Contractor', 'old.contractor', NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD, { employeeID: 'X99', mail: 'gone@example.com' });
    // Two users with one joiner's employeeID: a dispute, never guessed. She starts in March, so no account
    // is due for her in this test and the dispute is still open when orphans are acted on.
    await addUser('Katherine Johnson', 'kjohnson', NORMAL_ACCOUNT, { employeeID: 'E6' });
    await addUser('Kate Johnson', 'katherine.j', NORMAL_ACCOUNT, { employeeID: 'E6' });
    await admin.add(`CN=All Staff,OU=Groups,${samba.rosterOU}`, [
      new Attribute({ type: 'objectClass', values: ['group'] }),
      new Attribute({ type: 'member', values: [`CN=Ada King,${people}`] }),
    ]);
    // A group Roster does not manage (outside groups.base), as Domain Admins or a VPN group would be: it must never be revoked.
    await admin.add(vpnGroup(), [
      new Attribute({ type: 'objectClass', values: ['group'] }),
      new Attribute({ type: 'member', values: [`CN=Ada King,${people}`] }),
    ]);
    writeFileSync(join(dir, 'employees.csv'), csv([
      person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
      person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper' }),
      person({ employeeId: 'E5', givenName: 'Alan', familyName: 'Turing' }),
      person({ employeeId: 'E6', givenName: 'Katherine', familyName: 'Johnson', startDate: '2027-03-01' }),
    ]));
    writeConfig('report', '0');
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now });
    await engine.readSource('hr', 'test');
  }, 400_000);
  afterAll(() => tearDown({ engine, client: admin, server: samba, dirs: [dir] }));

  it('links by employeeID, then by normalised mail, with the objectGUID as the link id; reports the orphan and the dispute', async () => {
    const before = await users(PRESENT);
    const guid = (name: string) => before.get(name)!.guid;
    // AD keeps the mail as written: the match below is the normalisation's doing.
    expect(before.get('ghopper')!.mail).toBe('  Grace.Hopper@EXAMPLE.com ');
    const report = await engine!.reconcile('corp-ad', { actor: 'test', apply: false });
    expect(report.accounts).toBe(5);
    expect(report.linked).toBe(0);
    expect([...report.matched].sort((a, b) => a.identity.localeCompare(b.identity))).toEqual([
      { accountId: guid('alovelace'), identity: 'E1', rule: 'employeeID = identity.employeeId' },
      { accountId: guid('ghopper'), identity: 'E2', rule: 'email = identity.email' },
    ]);
    expect(report.orphans).toEqual([{ accountId: guid('old.contractor'), key: 'old.contractor' }]);
    expect([...report.disputed].sort((a, b) => String(a.key).localeCompare(String(b.key)))).toEqual([
      { accountId: guid('katherine.j'), key: 'katherine.j', candidates: ['E6'], rule: 'employeeID = identity.employeeId' },
      { accountId: guid('kjohnson'), key: 'kjohnson', candidates: ['E6'], rule: 'employeeID = identity.employeeId' },
    ]);
    // The link id is the objectGUID as AD itself reads it: a <GUID=...> DN finds the same user.
    const { searchEntries } = await admin.search(`<GUID=${guid('alovelace')}>`, { scope: 'base', attributes: ['sAMAccountName'] });
    expect(searchEntries.map((e) => e.sAMAccountName)).toEqual(['alovelace']);
    expect(report.plan.changes).toEqual([]);
    expect(await users(PRESENT)).toEqual(before);
    // The links hold what AD holds: the stale mail, the managed group Ada is already in (not the VPN group outside groups.base), enabled.
    // Nobody is linked to a disputed user.
    expect(await memberOf('alovelace')).toContain(vpnGroup());
    expect(await engine!.store.accounts.get('corp-ad', 'E1')).toMatchObject({
      accountId: guid('alovelace'), enabled: true, entitlements: ['All Staff'], attributes: { sAMAccountName: 'alovelace', email: 'ada@old-domain.example', employeeID: 'E1' },
    });
    expect(await engine!.store.accounts.get('corp-ad', 'E2')).toMatchObject({ accountId: guid('ghopper'), attributes: { sAMAccountName: 'ghopper' } });
    expect(await engine!.store.accounts.get('corp-ad', 'E6')).toBeUndefined();
  }, 60_000);

  it('the next sync creates no duplicates: the linked users are brought in line, a new user only for the unlinked', async () => {
    const before = await users(PRESENT);
    expect(await accountNames()).toEqual([...PRESENT].sort());
    const result = await engine!.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    // Nothing is revoked from Ada: the only group she is in that policy does not grant is not Roster's.
    expect(result.plan.changes.filter((c) => c.action === 'revoke')).toEqual([]);
    expect(await memberOf('alovelace')).toEqual([`CN=All Staff,OU=Groups,${samba.rosterOU}`, vpnGroup()].sort());
    expect(result.plan.changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E5']);
    // Every earlier user is still there, once, under its own name (unique() keeps an existing value).
    expect(await accountNames()).toEqual([...PRESENT, 'alan.turing'].sort());
    const after = await users(PRESENT);
    // Ada: the same user (objectGUID), renamed to her HR name, mail in line.
    expect(after.get('alovelace')).toMatchObject({
      guid: before.get('alovelace')!.guid, dn: `CN=Ada Lovelace,${people}`, displayName: 'Ada Lovelace', mail: 'ada.lovelace@example.com', uac: NORMAL_ACCOUNT,
    });
    // Grace: the same user, now with her employeeID.
    expect(after.get('ghopper')).toMatchObject({ guid: before.get('ghopper')!.guid, employeeID: 'E2' });
    expect(after.get('ghopper')!.mail?.trim().toLowerCase()).toBe('grace.hopper@example.com');
    // The orphan and the disputed users were not written to at all.
    for (const name of ['old.contractor', 'kjohnson', 'katherine.j']) expect(after.get(name)).toEqual(before.get(name));
    expect(await user('alan.turing')).toMatchObject({ employeeID: 'E5', mail: 'alan.turing@example.com', uac: NORMAL_ACCOUNT });
    const again = await engine!.sync({ actor: 'test' });
    expect(again.plan.changes).toEqual([]);
  }, 120_000);

  it('a mail cleared by hand is seen by the next reconcile, and the plan after it writes it back', async () => {
    await admin.modify(`CN=Alan Turing,${people}`, [new Change({ operation: 'delete', modification: new Attribute({ type: 'mail' }) })]);
    expect((await user('alan.turing')).mail).toBeUndefined();
    await engine!.reconcile('corp-ad', { actor: 'test', apply: false });
    const plan = await engine!.plan();
    expect(plan.changes.map((c) => ({ identity: c.identity, action: c.action, after: c.after?.attributes }))).toEqual([
      { identity: 'E5', action: 'update', after: { email: 'alan.turing@example.com' } },
    ]);
    await engine!.apply(plan, { actor: 'test' });
    expect((await user('alan.turing')).mail).toBe('alan.turing@example.com');
  }, 60_000);

  it('orphans: disable acts only within the safety limit and keeps the other userAccountControl flags; the dispute stays untouched', async () => {
    await engine!.close();
    engine = undefined;
    const before = await users([...PRESENT, 'alan.turing']);
    const orphan = before.get('old.contractor')!;
    // 1 disable of 6 users is over a 10% limit: held, nothing written. (Exit 1: the disputes are still open.)
    writeConfig('disable', '10%');
    const held = cliReconcile();
    expect(held.status).toBe(1);
    expect(held.report.orphans.map((o) => o.accountId)).toEqual([orphan.guid]);
    expect(held.report.disputed.map((d) => d.key).sort()).toEqual(['katherine.j', 'kjohnson']);
    expect(held.report.plan).toMatchObject({ held: true, holds: [{ code: 'safety.max_disables', count: 1, limit: 0 }] });
    expect(held.report.plan.changes.map((c) => [c.action, c.before?.accountId, c.reasons])).toEqual([['disable', orphan.guid, ['reconcile.orphan.disable']]]);
    expect(held.report.result).toBeUndefined();
    expect(await users([...PRESENT, 'alan.turing'])).toEqual(before);
    // Within a 20% limit the orphan is disabled: the disable bit is added, its other flags kept.
    writeConfig('disable', '20%');
    const applied = cliReconcile();
    expect(applied.status).toBe(1);
    expect(applied.report.plan.held).toBe(false);
    expect(applied.report.result).toMatchObject({ applied: 1, failed: 0, errors: [] });
    const after = await users([...PRESENT, 'alan.turing']);
    expect(after.get('old.contractor')).toMatchObject({ guid: orphan.guid, uac: NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD | ACCOUNTDISABLE });
    for (const name of ['alovelace', 'ghopper', 'kjohnson', 'katherine.j', 'alan.turing']) expect(after.get(name)).toEqual(before.get(name));
    // Nothing is left to do: a disabled orphan is not disabled again.
    const settled = cliReconcile();
    expect(settled.report.plan.changes).toEqual([]);
    expect(await users([...PRESENT, 'alan.turing'])).toEqual(after);
  }, 120_000);
});
