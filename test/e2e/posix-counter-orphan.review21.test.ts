import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * Review 21: the uidNumber counter (users.posix.counter) kept below
 * users.base as an inetOrgPerson, the class every account has. Nobody in HR
 * holds it, so read as an account it would be an orphan, and reconcile with
 * `orphans: delete` would delete it, and with it the record of every number
 * ever handed out. It is no account: the pass deletes the real orphan only,
 * and the joiners after it are numbered from the counter.
 */
describe('reconcile with orphans: delete never deletes the uidNumber counter (review21)', () => {
  let slapd: RunningSlapd;
  let admin: Client;
  let engine: Engine;
  let dir: string;
  const NOW = new Date('2026-11-27T09:00:00Z');
  const people = () => `ou=people,${slapd.suffix}`;
  const counterDn = () => `cn=uidNext,${people()}`;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    admin = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-counter-orphan-'));
    await admin.add(counterDn(), { objectClass: ['inetOrgPerson', 'extensibleObject'], cn: 'uidNext', sn: 'uidNext', uidNumber: '65000' });
    await admin.add(`uid=e1,${people()}`, { objectClass: ['inetOrgPerson'], uid: 'e1', cn: 'A. Lovelace', sn: 'Lovelace', employeeNumber: 'e1' });
    await admin.add(`uid=old0,${people()}`, { objectClass: ['inetOrgPerson'], uid: 'old0', cn: 'Old', sn: 'Contractor', employeeNumber: 'X0' });
    writeFileSync(join(dir, 'employees.csv'), csv(['e1', 'j1'].map((id) => person({ employeeId: id, givenName: 'P', familyName: id }))));
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},${people()}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', cn: 'cn', sn: 'sn' },
      attributes: { uid: 'identity.employeeId', cn: FULL_NAME, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId' },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }', orphans: 'delete',
    });
    const posix = `        posix: { uidNumber: { min: 65000, max: 65999 }, gidNumber: 100, counter: { dn: "${counterDn()}" } }\n`;
    expect(yaml).toContain('        key: uid\n');
    writeFileSync(join(dir, 'roster.yaml'), yaml.replace('        key: uid\n', `        key: uid\n${posix}`));
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => NOW });
    await engine.readSource('hr', 'test');
  });
  afterAll(() => tearDown({ engine, client: admin, server: slapd, dirs: [dir] }));

  const uuidOf = async (dn: string) => String((await admin.search(dn, { scope: 'base', attributes: ['entryUUID'] })).searchEntries[0]?.entryUUID);
  const dns = async () => (await admin.search(people(), { scope: 'one', filter: '(objectClass=inetOrgPerson)', attributes: ['1.1'] })).searchEntries.map((e) => e.dn.replace(`,${people()}`, '')).sort();

  it('the pass reads e1 and old0, deletes old0 only; the counter stays and numbers the joiner', async () => {
    const old0 = await uuidOf(`uid=old0,${people()}`);
    const report = await engine.reconcile('corp-ldap', { actor: 'test', apply: true });
    expect(report.accounts).toBe(2);
    expect(report.orphans.map((o) => o.accountId)).toEqual([old0]);
    expect(await dns()).toEqual(['cn=uidNext', 'uid=e1']);

    const sync = await engine.sync({ actor: 'test' });
    expect(sync.result?.errors ?? []).toEqual([]);
    const { searchEntries } = await admin.search(people(), { scope: 'one', filter: '(objectClass=posixAccount)', attributes: ['uid', 'uidNumber'] });
    const held = Object.fromEntries(searchEntries.map((e) => [String(e.uid), String(e.uidNumber)]));
    // j1 is created and e1 made a posixAccount, in either order: 65000 and 65001, the counter past both.
    expect(Object.keys(held).sort()).toEqual(['e1', 'j1']);
    expect(Object.values(held).sort()).toEqual(['65000', '65001']);
    expect(String((await admin.search(counterDn(), { scope: 'base', attributes: ['uidNumber'] })).searchEntries[0]?.uidNumber)).toBe('65002');
    // A second pass: still nothing but e1 and j1 read, no orphan.
    const again = await engine.reconcile('corp-ldap', { actor: 'test', apply: true });
    expect(again.orphans).toEqual([]);
    expect(await dns()).toEqual(['cn=uidNext', 'uid=e1', 'uid=j1']);
  });
});
