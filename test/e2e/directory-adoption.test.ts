import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guidToString } from '../../src/connectors/ad/index.js';
import { openEngine } from '../../src/engine/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, FULL_NAME, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

const ROSTER_BIN = join(import.meta.dirname, '..', '..', 'bin', 'roster.mjs');
/** userAccountControl (MS-ADTS 2.2.16): a normal account, and the same disabled. */
const ENABLED = 0x200;
const DISABLED = 0x202;

/**
 * Which existing Active Directory users Roster takes, and which it leaves
 * alone (the findings of the AD reconcile e2e, issue 3): a disputed account
 * is never acted on, even after its claimants got accounts of their own; a
 * person with disputed accounts gets no new one until an admin links one;
 * a joiner never takes over a departed user's account that holds the name
 * they would get; an orphan Roster disabled is still an orphan; a held
 * `reconcile --json --yes` exits 1. Each test has its own OU and store.
 */
describe('account adoption and disputes in Active Directory (Samba AD DC)', () => {
  let samba: RunningSamba;
  let admin: Client;
  const dirs: string[] = [];
  beforeAll(async () => {
    samba = await startSamba();
    admin = await adminClient(samba);
  }, 400_000);
  afterAll(() => tearDown({ client: admin, server: samba, dirs }));

  async function project(name: string, hr: Person[], orphans: 'report' | 'disable' | 'delete', maxDisables = '100%') {
    const base = `OU=${name},${samba.rosterOU}`;
    await admin.add(base, [new Attribute({ type: 'objectClass', values: ['organizationalUnit'] })]);
    const dir = adProjectDir(`roster-adoption-${name}-`, samba);
    dirs.push(dir);
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const write = (action: string, disables = maxDisables) => writeFileSync(join(dir, 'roster.yaml'), adProjectYaml(samba, {
      base,
      usersDn: `CN={displayName},${base}`,
      attributes: { sAMAccountName: UNIQUE_GIVEN_DOT_FAMILY, displayName: FULL_NAME, email: 'identity.email', employeeID: 'identity.employeeId' },
      safety: `{ maxDeletes: 100%, maxDisables: ${disables}, minAccounts: 0 }`,
      orphans: action,
    }));
    write(orphans);
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    /** A user made outside Roster (with a password: AD takes it over LDAPS only). */
    const addUser = (cn: string, sam: string, uac: number, extra: Record<string, string> = {}) => admin.add(`CN=${cn},${base}`, Object.entries({
      objectClass: 'user', sAMAccountName: sam, displayName: cn, userAccountControl: String(uac), unicodePwd: Buffer.from('"Legacy-Passw0rd!x"', 'utf16le'), ...extra,
    } as Record<string, string | Buffer>).map(([type, v]) => new Attribute({ type, values: [v] as string[] | Buffer[] })));
    const find = async (filter: string) => {
      const { searchEntries } = await admin.search(base, {
        scope: 'sub', filter: `(&(objectCategory=person)(objectClass=user)${filter})`,
        attributes: ['objectGUID', 'sAMAccountName', 'userAccountControl', 'memberOf', 'mail'], explicitBufferAttributes: ['objectGUID'],
      });
      return searchEntries.map((e) => ({ dn: e.dn, sam: String(e.sAMAccountName), guid: guidToString(e.objectGUID as Buffer), uac: Number(e.userAccountControl), memberOf: e.memberOf, mail: e.mail }));
    };
    const open = async () => {
      const engine = await openEngine(join(dir, 'roster.yaml'));
      await engine.readSource('hr', 't');
      return engine;
    };
    const cli = (...args: string[]) => spawnSync(process.execPath, [ROSTER_BIN, 'reconcile', '--config', join(dir, 'roster.yaml'), ...args], {
      encoding: 'utf8', env: process.env, timeout: 60_000,
    });
    return { base, dir, addUser, find, open, write, cli };
  }

  it('A: a shared mailbox two people claim stays disputed after both got their own users, and `orphans: disable` leaves it alone', async () => {
    const p = await project('AdoptA', [
      person({ employeeId: 'E3', givenName: 'Team', familyName: 'One', email: 'team@example.com' }),
      person({ employeeId: 'E4', givenName: 'Team', familyName: 'Two', email: 'team@example.com' }),
    ], 'report');
    await p.addUser('Team Mailbox', 'team.mailbox', ENABLED, { mail: 'team@example.com' });
    const engine = await p.open();
    expect((await engine.reconcile('corp-ad', { actor: 't' })).disputed).toMatchObject([{ key: 'team.mailbox', candidates: ['E3', 'E4'] }]);
    const sync = await engine.sync({ actor: 't' });
    expect(sync.plan.changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E3', 'E4']);
    await engine.close();
    p.write('disable');
    const again = await p.open();
    const report = await again.reconcile('corp-ad', { actor: 't', apply: true });
    await again.close();
    expect(report).toMatchObject({ linked: 2, orphans: [], disputed: [{ key: 'team.mailbox', candidates: ['E3', 'E4'] }] });
    expect(report.plan.changes).toEqual([]);
    expect((await p.find('(sAMAccountName=team.mailbox)'))[0]?.uac).toBe(ENABLED);
  }, 120_000);

  it('B: a person with two disputed users gets no third; once an admin links one (`reconcile --link`), that one is kept in line', async () => {
    const p = await project('AdoptB', [person({ employeeId: 'E6', givenName: 'Katherine', familyName: 'Johnson' })], 'report');
    await p.addUser('K Johnson', 'kjohnson', ENABLED, { employeeID: 'E6' });
    await p.addUser('Kate Johnson', 'katherine.j', ENABLED, { employeeID: 'E6' });
    const engine = await p.open();
    expect((await engine.reconcile('corp-ad', { actor: 't' })).disputed).toHaveLength(2);
    const held = await engine.sync({ actor: 't' });
    await engine.close();
    expect(held.plan.changes).toEqual([]);
    expect(held.plan.diagnostics).toMatchObject([{ code: 'reconcile.disputed', identity: 'E6', target: 'corp-ad' }]);
    expect((await p.find('(employeeID=E6)')).map((u) => u.sam).sort()).toEqual(['katherine.j', 'kjohnson']);

    const [kjohnson] = await p.find('(sAMAccountName=kjohnson)');
    const linked = p.cli('--link', 'corp-ad', 'E6', kjohnson!.guid);
    expect(linked.stdout).toContain(`E6 is linked to ${kjohnson!.guid} in corp-ad`);
    expect(linked.status).toBe(0);
    const after = await p.open();
    const sync = await after.sync({ actor: 't' });
    await after.close();
    expect(sync.result?.errors ?? []).toEqual([]);
    expect(sync.plan.changes.filter((c) => c.action === 'create')).toEqual([]);
    expect(new Set(sync.plan.changes.map((c) => c.before?.accountId ?? c.after?.accountId))).toEqual(new Set([kjohnson!.guid]));
    expect((await p.find('(employeeID=E6)')).map((u) => u.sam).sort()).toEqual(['katherine.j', 'kjohnson']);
  }, 120_000);

  it('C: a joiner does not take over a departed, disabled user holding the name they would get: they get the next name', async () => {
    const p = await project('AdoptC', [person({ employeeId: 'E7', givenName: 'John', familyName: 'Smith' })], 'report');
    await p.addUser('John Smith (left 2024)', 'john.smith', DISABLED, { mail: 'old.john@example.com' });
    await admin.add(`CN=Finance Admins AdoptC,OU=Groups,${samba.rosterOU}`, [
      new Attribute({ type: 'objectClass', values: ['group'] }),
      new Attribute({ type: 'member', values: [`CN=John Smith (left 2024),${p.base}`] }),
    ]);
    const [departed] = await p.find('(sAMAccountName=john.smith)');
    const engine = await p.open();
    expect((await engine.reconcile('corp-ad', { actor: 't' })).orphans.map((o) => o.accountId)).toEqual([departed!.guid]);
    const sync = await engine.sync({ actor: 't' });
    const link = await engine.store.accounts.get('corp-ad', 'E7');
    await engine.close();
    expect(sync.result?.errors).toEqual([]);
    const [joiner] = await p.find('(sAMAccountName=john.smith2)');
    expect(link?.accountId).toBe(joiner!.guid);
    expect(await p.find('(sAMAccountName=john.smith)')).toEqual([departed]);
  }, 120_000);

  it('C: a user made after the last reconcile, holding the joiner\'s name, is refused (target.conflict), and a retried create adopts only its own user', async () => {
    const p = await project('AdoptC2', [person({ employeeId: 'E8', givenName: 'Jane', familyName: 'Doe' })], 'report');
    const engine = await p.open();
    await engine.reconcile('corp-ad', { actor: 't' });
    await p.addUser('Jane Doe (left 2023)', 'jane.doe', DISABLED, { employeeID: 'X8' });
    const [departed] = await p.find('(sAMAccountName=jane.doe)');
    const refused = await engine.sync({ actor: 't' });
    expect(refused.result?.errors.map((e) => e.error)).toContainEqual(expect.stringContaining(
      `target.conflict: create on corp-ad: sAMAccountName jane.doe is held by an account not linked to this person (CN=Jane Doe (left 2023),${p.base}`,
    ));
    expect(await engine.store.accounts.get('corp-ad', 'E8')).toBeUndefined();
    expect(await p.find('(sAMAccountName=jane.doe)')).toEqual([departed]);

    // Her own user, made by a create whose completion was lost (the link is gone): found again by her employeeID, not duplicated.
    await admin.del(departed!.dn);
    const made = await engine.sync({ actor: 't' });
    expect(made.result?.errors).toEqual([]);
    const own = (await engine.store.accounts.get('corp-ad', 'E8'))!;
    await engine.store.accounts.remove('corp-ad', 'E8');
    const again = await engine.sync({ actor: 't' });
    await engine.close();
    expect(again.result?.errors).toEqual([]);
    expect(again.plan.changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['E8']);
    expect(await p.find('(employeeID=E8)')).toMatchObject([{ sam: 'jane.doe', guid: own.accountId, uac: ENABLED }]);
  }, 120_000);

  it('D: an orphan Roster disabled is still reported as an orphan, and `orphans: delete` later deletes it', async () => {
    const p = await project('AdoptD', [person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' })], 'disable');
    await p.addUser('Old Two', 'old.two', ENABLED);
    const [orphan] = await p.find('(sAMAccountName=old.two)');
    let engine = await p.open();
    expect((await engine.reconcile('corp-ad', { actor: 't', apply: true })).result?.applied).toBe(1);
    const after = await engine.reconcile('corp-ad', { actor: 't' });
    await engine.close();
    expect(after).toMatchObject({ linked: 0, orphans: [{ accountId: orphan!.guid }] });
    expect((await p.find('(sAMAccountName=old.two)'))[0]?.uac).toBe(DISABLED);
    p.write('delete');
    engine = await p.open();
    expect((await engine.reconcile('corp-ad', { actor: 't', apply: true })).result?.applied).toBe(1);
    await engine.close();
    expect(await p.find('(sAMAccountName=old.two)')).toEqual([]);
  }, 120_000);

  it('E: `reconcile --json --yes` exits 1 when the orphan actions are held by a safety limit, as the text output does', async () => {
    const p = await project('AdoptE', [person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' })], 'disable', '0');
    await p.addUser('Old Three', 'old.three', ENABLED);
    await (await p.open()).close();
    const json = p.cli('--target', 'corp-ad', '--json', '--yes');
    expect(JSON.parse(json.stdout).plan).toMatchObject({ held: true, holds: [{ code: 'safety.max_disables' }] });
    expect(json.status).toBe(1);
    const text = p.cli('--target', 'corp-ad', '--yes');
    expect(text.stderr).toContain('orphan actions are held by a safety limit');
    expect(text.status).toBe(1);
    expect((await p.find('(sAMAccountName=old.three)'))[0]?.uac).toBe(ENABLED);
  }, 120_000);
});
