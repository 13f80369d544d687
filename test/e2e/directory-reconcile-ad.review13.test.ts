import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guidToString } from '../../src/connectors/ad/index.js';
import { openEngine } from '../../src/engine/index.js';
import type { ReconcileResult } from '../../src/engine/types.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient, adProjectDir, adProjectYaml, FULL_NAME, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';

const ROSTER_BIN = join(import.meta.dirname, '..', '..', 'bin', 'roster.mjs');
/** userAccountControl (MS-ADTS 2.2.16), spelled out rather than taken from the connector under test. */
const ENABLED = 0x200;
const DISABLED = 0x202;
const DONT_EXPIRE_PASSWORD = 0x10000;

/**
 * Review 13 of `roster reconcile` against a Samba AD DC: what is AD-specific.
 * Each test has its own OU (the base) and store; users are made over LDAPS
 * with ldapts, as an administrator would, before Roster is introduced.
 */
describe('reconcile review 13: Active Directory specifics (Samba AD DC)', () => {
  let samba: RunningSamba;
  let admin: Client;
  const dirs: string[] = [];
  beforeAll(async () => {
    samba = await startSamba();
    admin = await adminClient(samba);
  }, 400_000);
  afterAll(() => tearDown({ client: admin, server: samba, dirs }));

  async function project(name: string, hr: Person[], opts: { orphans?: string; safety?: string; pageSize?: number; ous?: string[] } = {}) {
    const base = `OU=${name},${samba.rosterOU}`;
    await admin.add(base, [new Attribute({ type: 'objectClass', values: ['organizationalUnit'] })]);
    for (const ou of opts.ous ?? []) await admin.add(`${ou},${base}`, [new Attribute({ type: 'objectClass', values: ['organizationalUnit'] })]);
    const dir = adProjectDir(`roster-rec13-${name}-`, samba);
    dirs.push(dir);
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    const write = (orphans = opts.orphans ?? 'report', safety = opts.safety ?? '{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }') => {
      let yaml = adProjectYaml(samba, {
        base,
        usersDn: `CN={displayName},${base}`,
        attributes: { sAMAccountName: UNIQUE_GIVEN_DOT_FAMILY, displayName: FULL_NAME, email: 'identity.email', employeeID: 'identity.employeeId' },
        safety, orphans,
      });
      if (opts.pageSize !== undefined) yaml = yaml.replace('\n      base: "', `\n      pageSize: ${opts.pageSize}\n      base: "`);
      writeFileSync(join(dir, 'roster.yaml'), yaml);
    };
    write();
    process.env.ROSTER_E2E_AD_PASSWORD = samba.password;
    /** A user made outside Roster (with a password: AD takes it over LDAPS only); `where` is the DN below the base, or a whole DN. */
    const addUser = (cn: string, sam: string, uac: number, extra: Record<string, string> = {}, where = '') => admin.add(
      where.includes('DC=') ? `CN=${cn},${where}` : `CN=${cn},${where === '' ? '' : `${where},`}${base}`,
      Object.entries({
        objectClass: 'user', sAMAccountName: sam, displayName: cn, userAccountControl: String(uac), unicodePwd: Buffer.from('"Legacy-Passw0rd!x"', 'utf16le'), ...extra,
      } as Record<string, string | Buffer>).map(([type, v]) => new Attribute({ type, values: [v] as string[] | Buffer[] })));
    const find = async (filter: string, under = base) => {
      const { searchEntries } = await admin.search(under, {
        scope: 'sub', filter: `(&(objectCategory=person)(objectClass=user)${filter})`,
        attributes: ['objectGUID', 'sAMAccountName', 'userAccountControl', 'mail', 'userPrincipalName', 'employeeID', 'uSNChanged'], explicitBufferAttributes: ['objectGUID'],
      });
      return searchEntries.map((e) => ({
        dn: e.dn, sam: String(e.sAMAccountName), guid: guidToString(e.objectGUID as Buffer), uac: Number(e.userAccountControl),
        upn: String(e.userPrincipalName), employeeID: String(e.employeeID), usn: String(e.uSNChanged),
      }));
    };
    const names = async () => (await find('')).map((u) => u.sam).sort();
    const open = async () => {
      const engine = await openEngine(join(dir, 'roster.yaml'));
      await engine.readSource('hr', 't');
      return engine;
    };
    const cli = (...args: string[]) => spawnSync(process.execPath, [ROSTER_BIN, 'reconcile', '--config', join(dir, 'roster.yaml'), ...args], {
      encoding: 'utf8', env: process.env, timeout: 60_000,
    });
    return { base, dir, addUser, find, names, open, write, cli };
  }

  it('A: introduced into nested OUs read over several pages: matched users are linked, joiners never take or collide with an orphan\'s names', async () => {
    const p = await project('Rec13A', [
      person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
      person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper' }),
      person({ employeeId: 'E3', givenName: 'Edsger', familyName: 'Dijkstra' }),
      person({ employeeId: 'E5', givenName: 'Alan', familyName: 'Turing' }),
      person({ employeeId: 'E7', givenName: 'John', familyName: 'Smith' }),
    ], { pageSize: 2, ous: ['OU=Eng', 'OU=Deep,OU=Eng', 'OU=Sales'] });
    await p.addUser('Ada L', 'alovelace', ENABLED, { employeeID: 'E1' }, 'OU=Eng');
    // No employeeID; the mail in another case, two OUs down.
    await p.addUser('Grace H', 'ghopper', ENABLED, { mail: 'GRACE.Hopper@Example.COM' }, 'OU=Deep,OU=Eng');
    await p.addUser('Edsger D', 'edsger', ENABLED, { mail: 'edsger.dijkstra@example.com', employeeID: 'E3' }, 'OU=Sales');
    // UPN only: no rule finds it, so an orphan, holding the UPN Alan Turing's new account would be given.
    await p.addUser('A T old', 'at.legacy', ENABLED, { userPrincipalName: 'alan.turing@example.test' }, 'OU=Sales');
    // A departed John Smith, disabled, name in another case: an orphan holding John Smith's name.
    await p.addUser('John Smith left', 'John.Smith', DISABLED | DONT_EXPIRE_PASSWORD, { mail: 'old.john@example.com' }, 'OU=Deep,OU=Eng');
    const before = await p.find('');
    const guid = (sam: string) => before.find((u) => u.sam === sam)!.guid;
    const engine = await p.open();
    const report = await engine.reconcile('corp-ad', { actor: 't' });
    expect(report.accounts).toBe(5);
    expect(report.matched.map((m) => [m.identity, m.accountId]).sort()).toEqual([['E1', guid('alovelace')], ['E2', guid('ghopper')], ['E3', guid('edsger')]]);
    expect(report.orphans.map((o) => o.key).sort()).toEqual(['John.Smith', 'at.legacy']);
    const sync = await engine.sync({ actor: 't' });
    await engine.close();
    expect(sync.result?.errors ?? []).toEqual([]);
    expect(sync.plan.changes.filter((c) => c.action === 'create').map((c) => c.identity).sort()).toEqual(['E5', 'E7']);
    // No duplicate for anyone matched; the joiners got names no orphan holds (sAMAccountName and the UPN made from it).
    expect(await p.names()).toEqual(['John.Smith', 'alan.turing2', 'alovelace', 'at.legacy', 'edsger', 'ghopper', 'john.smith2']);
    // The orphans were not written to.
    for (const sam of ['John.Smith', 'at.legacy']) expect((await p.find(`(sAMAccountName=${sam})`))[0]).toEqual(before.find((u) => u.sam === sam));
  }, 180_000);

  it('B: a linked user an admin moved out of the base between passes keeps its link: no second account for that person', async () => {
    const p = await project('Rec13B', [
      person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
      person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper' }),
    ]);
    // Ada stays: the read is not empty, and one vanished link of two is within maxDeletes 100%.
    await p.addUser('Ada L', 'ada13b', ENABLED, { employeeID: 'E1' });
    // Linked by mail, under a name Roster would not pick (grace.hopper): a new account would not collide with it.
    await p.addUser('Grace H', 'ghopper13b', ENABLED, { mail: 'grace.hopper@example.com' });
    const [grace] = await p.find('(sAMAccountName=ghopper13b)');
    const engine = await p.open();
    expect((await engine.reconcile('corp-ad', { actor: 't' })).matched).toHaveLength(2);
    expect((await engine.sync({ actor: 't' })).result?.errors ?? []).toEqual([]);
    const away = `CN=Grace H,CN=Users,${samba.baseDN}`;
    const home = (await p.find('(sAMAccountName=ghopper13b)'))[0]!.dn;
    await admin.modifyDN(home, away);
    try {
      const report = await engine.reconcile('corp-ad', { actor: 't' });
      expect(report).toMatchObject({ linked: 1, vanished: [] });
      expect(report.vanishedHeld).toBeUndefined();
      expect((await engine.store.accounts.get('corp-ad', 'E2'))?.accountId).toBe(grace!.guid);
      const sync = await engine.sync({ actor: 't' });
      expect(sync.plan.changes.filter((c) => c.action === 'create')).toEqual([]);
      expect(await p.names()).toEqual(['ada13b']);
      expect((await p.find('(employeeID=E2)', `CN=Users,${samba.baseDN}`)).map((u) => u.guid)).toEqual([grace!.guid]);
    } finally {
      await admin.modifyDN(away, home).catch(() => undefined);
    }
    // Moved back: linked again, as before.
    expect(await engine.reconcile('corp-ad', { actor: 't' })).toMatchObject({ linked: 2, vanished: [], orphans: [] });
    await engine.close();
  }, 120_000);

  it('C: renamed in AD between passes (CN and sAMAccountName), still linked by objectGUID; a disabled user matched to an active person', async () => {
    const p = await project('Rec13C', [
      person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
      person({ employeeId: 'E4', givenName: 'Barbara', familyName: 'Liskov' }),
    ]);
    await p.addUser('Ada L', 'ada13c', ENABLED, { employeeID: 'E1' });
    await p.addUser('Barbara L', 'bliskov13c', DISABLED, { employeeID: 'E4' });
    const [ada] = await p.find('(sAMAccountName=ada13c)');
    const engine = await p.open();
    expect((await engine.reconcile('corp-ad', { actor: 't' })).matched).toHaveLength(2);
    const first = await engine.sync({ actor: 't' });
    expect(first.result?.errors ?? []).toEqual([]);
    // A matched disabled user of an active person: the plan enables it (her account, as HR says she works here).
    expect(first.plan.changes.filter((c) => c.identity === 'E4').map((c) => c.action)).toContain('enable');
    expect((await p.find('(sAMAccountName=bliskov13c)'))[0]?.uac).toBe(ENABLED);
    const renamedDn = (await p.find('(sAMAccountName=ada13c)'))[0]!.dn;
    await admin.modifyDN(renamedDn, `CN=Ada Renamed,${p.base}`);
    await admin.modify(`CN=Ada Renamed,${p.base}`, [new (await import('ldapts')).Change({ operation: 'replace', modification: new Attribute({ type: 'sAMAccountName', values: ['ada.renamed'] }) })]);
    const report = await engine.reconcile('corp-ad', { actor: 't' });
    expect(report).toMatchObject({ linked: 2, matched: [], orphans: [], disputed: [], vanished: [] });
    expect(await engine.store.accounts.get('corp-ad', 'E1')).toMatchObject({ accountId: ada!.guid, attributes: { sAMAccountName: 'ada.renamed' } });
    const sync = await engine.sync({ actor: 't' });
    await engine.close();
    expect(sync.result?.errors ?? []).toEqual([]);
    expect(sync.plan.changes.filter((c) => c.action === 'create')).toEqual([]);
    expect((await p.find('(employeeID=E1)')).map((u) => u.guid)).toEqual([ada!.guid]);
  }, 120_000);

  it('D: orphans: delete waits for maxDeletes, deletes only below the base; --json of a pass with disputes; --link with the GUID in another form', async () => {
    const p = await project('Rec13D', [person({ employeeId: 'E6', givenName: 'Katherine', familyName: 'Johnson' })],
      { orphans: 'delete', safety: '{ maxDeletes: 0, maxDisables: 100%, minAccounts: 0 }' });
    await p.addUser('Old Four', 'old.four13d', ENABLED);
    await p.addUser('K J', 'kj13d', ENABLED, { employeeID: 'E6' });
    await p.addUser('Kate J', 'katej13d', ENABLED, { employeeID: 'E6' });
    const builtIn = await p.find('(|(sAMAccountName=Administrator)(sAMAccountName=Guest)(sAMAccountName=krbtgt))', samba.baseDN);
    expect(builtIn).toHaveLength(3);
    await (await p.open()).close();
    const held = p.cli('--target', 'corp-ad', '--json', '--yes');
    expect(held.status).toBe(1);
    const report = JSON.parse(held.stdout) as ReconcileResult;
    expect(report.plan).toMatchObject({ held: true, holds: [{ code: 'safety.max_deletes' }] });
    expect(report.disputed.map((d) => [d.key, d.candidates])).toEqual(expect.arrayContaining([['kj13d', ['E6']], ['katej13d', ['E6']]]));
    expect(report.disputed).toHaveLength(2);
    expect(await p.names()).toEqual(['katej13d', 'kj13d', 'old.four13d']);
    p.write('delete', '{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }');
    const applied = p.cli('--target', 'corp-ad', '--json', '--yes');
    expect((JSON.parse(applied.stdout) as ReconcileResult).result).toMatchObject({ applied: 1, failed: 0 });
    expect(await p.names()).toEqual(['katej13d', 'kj13d']);
    expect(await p.find('(|(sAMAccountName=Administrator)(sAMAccountName=Guest)(sAMAccountName=krbtgt))', samba.baseDN)).toEqual(builtIn);

    // The objectGUID as Windows tools show it: upper case, in braces.
    const [kj] = await p.find('(sAMAccountName=kj13d)');
    const linked = p.cli('--link', 'corp-ad', 'E6', `{${kj!.guid.toUpperCase()}}`);
    expect(linked.stderr).toBe('');
    expect(linked.status).toBe(0);
    const engine = await p.open();
    expect((await engine.store.accounts.get('corp-ad', 'E6'))?.accountId).toBe(kj!.guid);
    expect((await engine.store.audit.list({ kind: 'account.linked' })).map((e) => e.data)).toEqual([{ accountId: kj!.guid }]);
    await engine.close();
  }, 180_000);
});
