import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * Roster introduced into an OpenLDAP that already has people (added with
 * ldapadd, not by Roster): reconcile links them by employeeNumber, then by
 * mail (trimmed, case-insensitive), reports the orphan and the dispute, and
 * the following sync creates no duplicates. The dispute outlives the sync
 * that gives its claimants their own entries, and a joiner never takes over
 * an unlinked entry that holds the uid they would get.
 */
describe('reconcile an existing OpenLDAP directory through the engine', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let reader: Client;
  const clock = { now: new Date('2026-11-27T09:00:00Z') };
  const hr = [
    person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
    person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper' }),
    person({ employeeId: 'E3', givenName: 'Team', familyName: 'One', email: 'team@example.com' }),
    person({ employeeId: 'E4', givenName: 'Team', familyName: 'Two', email: 'team@example.com' }),
    person({ employeeId: 'E5', givenName: 'Alan', familyName: 'Turing' }),
  ];

  function ldapadd(ldif: string): void {
    const file = join(dir, 'seed.ldif');
    writeFileSync(file, ldif);
    const result = spawnSync('ldapadd', ['-H', slapd.url, '-x', '-D', slapd.bindDN, '-w', slapd.password, '-f', file], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`ldapadd failed: ${result.stderr}`);
  }
  async function uuidOf(uid: string): Promise<string> {
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: `(uid=${uid})`, attributes: ['entryUUID'] });
    return String(searchEntries[0]?.entryUUID);
  }
  async function uids(): Promise<string[]> {
    const { searchEntries } = await reader.search(slapd.suffix, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] });
    return searchEntries.map((e) => String(e.uid)).sort();
  }

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-dir-reconcile-'));
    const s = slapd.suffix;
    const entry = (uid: string, extra: string) => `dn: uid=${uid},ou=people,${s}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${uid}\nsn: ${uid}\n${extra}\n`;
    ldapadd([
      // Linked by employeeNumber although the mail is out of date.
      entry('alovelace', 'employeeNumber: E1\nmail: ada@old-domain.example\n'),
      // No employeeNumber: linked by mail, which differs only in case and spaces.
      entry('ghopper', 'mail:  Grace.Hopper@EXAMPLE.com \n'),
      // Nobody in HR: an orphan.
      entry('old.contractor', 'employeeNumber: X99\nmail: gone@example.com\n'),
      // A shared mailbox two HR people claim: a dispute, left alone.
      entry('team.mailbox', 'mail: team@example.com\n'),
      `dn: cn=all-staff,ou=groups,${s}\nobjectClass: groupOfNames\ncn: all-staff\nmember: uid=alovelace,ou=people,${s}\n`,
    ].join('\n'));
    writeFileSync(join(dir, 'employees.csv'), csv(hr));
    writeFileSync(join(dir, 'roster.yaml'), ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${s}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: {
        uid: UNIQUE_GIVEN_DOT_FAMILY, cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId',
      },
      safety: '{ maxDeletes: 50%, maxDisables: 50%, minAccounts: 0 }',
      orphans: 'report',
    }));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
    await engine.readSource('hr', 'test');
  });
  afterAll(() => tearDown({ engine, client: reader, server: slapd, dirs: [dir] }));

  it('links by employeeNumber, then by normalised mail; reports the orphan and the dispute', async () => {
    const report = await engine.reconcile('corp-ldap', { actor: 'test', apply: false });
    expect(report.accounts).toBe(4);
    const matched = [...report.matched].sort((a, b) => a.identity.localeCompare(b.identity));
    expect(matched).toEqual([
      { accountId: await uuidOf('alovelace'), identity: 'E1', rule: 'employeeNumber = identity.employeeId' },
      { accountId: await uuidOf('ghopper'), identity: 'E2', rule: 'email = identity.email' },
    ]);
    expect(report.orphans.map((o) => o.accountId)).toEqual([await uuidOf('old.contractor')]);
    expect(report.disputed).toMatchObject([{ accountId: await uuidOf('team.mailbox'), candidates: ['E3', 'E4'] }]);
    // Orphans are only reported (orphans: report): nothing to apply.
    expect(report.plan.changes).toEqual([]);
    expect(await engine.store.accounts.get('corp-ldap', 'E1')).toMatchObject({ accountId: await uuidOf('alovelace'), entitlements: ['all-staff'], enabled: true });
  });

  it('the next sync keeps the linked entries: no duplicates, new entries only for the unlinked', async () => {
    const ada = await uuidOf('alovelace');
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors ?? []).toEqual([]);
    expect(result.plan.changes.filter((c) => c.action === 'create').map((c) => c.identity).sort()).toEqual(['E3', 'E4', 'E5']);
    // The linked entries keep their uid (unique() keeps an existing value) and get the HR values.
    expect(await uids()).toEqual(['alan.turing', 'alovelace', 'ghopper', 'old.contractor', 'team.mailbox', 'team.one', 'team.two']);
    expect(await uuidOf('alovelace')).toBe(ada);
    const { searchEntries } = await reader.search(`uid=alovelace,ou=people,${slapd.suffix}`, { scope: 'base', attributes: ['mail', 'cn'] });
    expect(searchEntries[0]).toMatchObject({ mail: 'ada.lovelace@example.com', cn: 'Ada Lovelace' });
    // A second sync has nothing left to do.
    const again = await engine.sync({ actor: 'test' });
    expect(again.plan.changes).toEqual([]);
  });

  it('a value changed or cleared by hand is seen by the next reconcile, and the plan after it writes it back', async () => {
    const dn = `uid=alovelace,ou=people,${slapd.suffix}`;
    await reader.modify(dn, [
      new Change({ operation: 'delete', modification: new Attribute({ type: 'mail' }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'sn', values: ['Byron'] }) }),
    ]);
    // Until a reconcile looks, the link still says what Roster wrote: nothing to do.
    expect((await engine.plan()).changes).toEqual([]);
    await engine.reconcile('corp-ldap', { actor: 'test' });
    const plan = await engine.plan();
    expect(plan.changes.map((c) => ({ identity: c.identity, action: c.action, after: c.after?.attributes }))).toEqual([
      { identity: 'E1', action: 'update', after: { email: 'ada.lovelace@example.com', sn: 'Lovelace' } },
    ]);
    await engine.apply(plan, { actor: 'test' });
    const { searchEntries } = await reader.search(dn, { scope: 'base', attributes: ['mail', 'sn'] });
    expect(searchEntries[0]).toMatchObject({ mail: 'ada.lovelace@example.com', sn: 'Lovelace' });
    expect((await engine.plan()).changes).toEqual([]);
  });

  it('the shared mailbox stays disputed once its claimants have entries of their own: never an orphan', async () => {
    const report = await engine.reconcile('corp-ldap', { actor: 'test', apply: false });
    expect(report.linked).toBe(5);
    expect(report.disputed).toMatchObject([{ accountId: await uuidOf('team.mailbox'), candidates: ['E3', 'E4'] }]);
    expect(report.orphans.map((o) => o.accountId)).toEqual([await uuidOf('old.contractor')]);
  });

  it('a joiner never takes over an unlinked entry holding their uid: refused before reconcile knows it, avoided after', async () => {
    // A departed John Smith, added after the last reconcile: neither the store nor the reconcile memo knows him.
    ldapadd(`dn: uid=john.smith,ou=people,${slapd.suffix}\nobjectClass: inetOrgPerson\nuid: john.smith\ncn: John Smith\nsn: Smith\nemployeeNumber: X7\nmail: old.john@example.com\n`);
    const departed = await uuidOf('john.smith');
    writeFileSync(join(dir, 'employees.csv'), csv([...hr, person({ employeeId: 'E7', givenName: 'John', familyName: 'Smith' })]));
    await engine.readSource('hr', 'test');
    const refused = await engine.sync({ actor: 'test' });
    expect(refused.plan.changes.filter((c) => c.action === 'create').map((c) => c.after?.attributes?.uid)).toEqual(['john.smith']);
    expect(refused.result?.errors.map((e) => e.error)).toEqual([
      expect.stringContaining('target.conflict: create on corp-ldap: uid john.smith is held by an account not linked to this person (uid=john.smith,ou=people,'),
      // The grant planned for the new account is not attempted: the departed entry gets nothing.
      expect.stringContaining('not attempted: the create of john.smith on corp-ldap failed: target.conflict: '),
    ]);
    expect(await engine.store.accounts.get('corp-ldap', 'E7')).toBeUndefined();
    const { searchEntries } = await reader.search(`uid=john.smith,ou=people,${slapd.suffix}`, { scope: 'base', attributes: ['mail', 'employeeNumber', 'memberOf'] });
    expect(searchEntries[0]).toMatchObject({ mail: 'old.john@example.com', employeeNumber: 'X7' });
    const { searchEntries: staff } = await reader.search(`cn=all-staff,ou=groups,${slapd.suffix}`, { scope: 'base', attributes: ['member'] });
    expect(staff[0]?.member).not.toContain(`uid=john.smith,ou=people,${slapd.suffix}`);
    // Reconcile reads him as an orphan; the next plan gives the joiner the next free uid.
    expect((await engine.reconcile('corp-ldap', { actor: 'test', apply: false })).orphans.map((o) => o.accountId)).toContain(departed);
    const avoided = await engine.sync({ actor: 'test' });
    expect(avoided.result?.errors).toEqual([]);
    expect(avoided.plan.changes.filter((c) => c.action === 'create').map((c) => c.after?.attributes?.uid)).toEqual(['john.smith2']);
    expect((await engine.store.accounts.get('corp-ldap', 'E7'))?.accountId).toBe(await uuidOf('john.smith2'));
    expect(await uuidOf('john.smith')).toBe(departed);
  });

  it('users.base moved to an empty OU: the read returns none of the linked entries, every link is kept and the next plan creates nothing', async () => {
    ldapadd(`dn: ou=empty,${slapd.suffix}\nobjectClass: organizationalUnit\nou: empty\n`);
    const config = join(dir, 'roster.yaml');
    const text = readFileSync(config, 'utf8');
    expect(text).toContain(`base: "ou=people,${slapd.suffix}"`);
    writeFileSync(config, text.replace(`base: "ou=people,${slapd.suffix}"`, `base: "ou=empty,${slapd.suffix}"`));
    await engine.close();
    engine = await openEngine(config, { now: () => clock.now });
    const before = await engine.store.accounts.listByTarget('corp-ldap');
    expect(before.length).toBeGreaterThan(0);
    const entries = await uids();

    const report = await engine.reconcile('corp-ldap', { actor: 'test', apply: true });
    expect(report.accounts).toBe(0);
    expect(report.vanished).toEqual([]);
    expect(report.vanishedHeld?.hold.message).toBe(
      `the read of corp-ldap returned 0 of ${before.length} linked accounts: check connection.base / users.base and the bind account's rights; links kept`);
    expect(report.vanishedHeld?.links.map((l) => l.identity).sort()).toEqual(before.map((l) => l.identityId).sort());
    expect(await engine.store.accounts.listByTarget('corp-ldap')).toEqual(before);

    const plan = await engine.plan();
    expect(plan.changes.filter((c) => c.action === 'create')).toEqual([]);
    await engine.sync({ actor: 'test' });
    // slapd would have taken second entries under new uids: none were made.
    expect(await uids()).toEqual(entries);
  });

  it('a first pass against a mistyped users.base (an OU with nobody in it) keeps the creates held below safety.minAccounts; force accepts it', async () => {
    // A new store on the same directory, as when Roster is first set up: no links, never reconciled.
    const fresh = mkdtempSync(join(tmpdir(), 'roster-dir-first-'));
    try {
      ldapadd(`dn: ou=elsewhere,${slapd.suffix}\nobjectClass: organizationalUnit\nou: elsewhere\n`);
      writeFileSync(join(fresh, 'employees.csv'), csv(hr));
      const yaml = readFileSync(join(dir, 'roster.yaml'), 'utf8')
        .replace(/base: "ou=(people|empty),/, 'base: "ou=elsewhere,')
        .replace('minAccounts: 0', 'minAccounts: 10');
      expect(yaml).toContain(`base: "ou=elsewhere,${slapd.suffix}"`);
      writeFileSync(join(fresh, 'roster.yaml'), yaml);
      const first = await openEngine(join(fresh, 'roster.yaml'), { now: () => clock.now });
      try {
        await first.readSource('hr', 'test');
        const held = await first.reconcile('corp-ldap', { actor: 'test' });
        expect(held.createsHeld).toBe(`corp-ldap: read 0 accounts under ou=elsewhere,${slapd.suffix}, fewer than safety.minAccounts (10), and linked none; `
          + 'creates in corp-ldap stay held: if the directory already has people, check connection.base / users.base; run again with --force to accept an empty directory');
        expect((await first.plan()).changes.filter((c) => c.action === 'create')).toEqual([]);
        expect((await first.reconcile('corp-ldap', { actor: 'test', force: true })).createsHeld).toBeUndefined();
        expect((await first.plan()).changes.filter((c) => c.action === 'create')).toHaveLength(hr.length);
      } finally {
        await first.close();
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
