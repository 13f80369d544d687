import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, FULL_NAME, ldapProjectYaml, tearDown, UNIQUE_GIVEN_DOT_FAMILY } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * Roster binds as a service account kept with the people, named by a DN
 * whose leaf is neither the account key nor an attribute the target reads
 * (`cn=Roster Service,ou=people,…`, key uid): the name alone cannot tell it
 * from an orphan, so `orphans: disable` (now also run on a schedule) planned
 * to disable it, and every later run would fail to bind. The connector now
 * says which entry it binds as (its entryUUID), and reconcile spares it.
 */
describe('reconcile never acts on the entry Roster binds as (OpenLDAP)', () => {
  let slapd: RunningSlapd;
  let admin: Client;
  let engine: Engine;
  let dir: string;
  const serviceDn = () => `cn=Roster Service,ou=people,${slapd.suffix}`;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true, serviceAccount: true });
    admin = await adminClient(slapd);
    await admin.add(serviceDn(), { objectClass: ['inetOrgPerson'], cn: 'Roster Service', sn: 'Service', uid: 'svc.roster', userPassword: 'Svc-Passw0rd-20' });
    await admin.add(`uid=old.one,ou=people,${slapd.suffix}`, { objectClass: ['inetOrgPerson'], cn: 'Old One', sn: 'One', uid: 'old.one', employeeNumber: 'X1' });
    dir = mkdtempSync(join(tmpdir(), 'roster-own-bind-'));
    writeFileSync(join(dir, 'employees.csv'), csv([person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' })]));
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${slapd.suffix}`,
      userAttributes: { email: 'mail', employeeNumber: 'employeeNumber', sn: 'sn' },
      attributes: { uid: UNIQUE_GIVEN_DOT_FAMILY, sn: 'identity.familyName', email: 'identity.email', employeeNumber: 'identity.employeeId', displayName: FULL_NAME },
      safety: '{ maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }',
      orphans: 'disable',
    }).replace(`bindDN: "${slapd.bindDN}"`, `bindDN: "${serviceDn()}"`);
    expect(yaml).toContain(serviceDn());
    writeFileSync(join(dir, 'roster.yaml'), yaml);
    process.env.ROSTER_E2E_LDAP_PASSWORD = 'Svc-Passw0rd-20';
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => new Date('2026-11-28T09:00:00Z') });
    await engine.readSource('hr', 'test');
  });
  afterAll(() => tearDown({ engine, client: admin, server: slapd, dirs: [dir] }));

  it('reports it as an orphan, plans nothing for it, and says why; the real orphan is disabled', async () => {
    const { searchEntries: [service] } = await admin.search(serviceDn(), { scope: 'base', attributes: ['entryUUID'] });
    const serviceId = String(service?.entryUUID);
    const report = await engine.reconcile('corp-ldap', { actor: 'test', apply: false });
    expect(report.orphans.map((o) => o.accountId)).toContain(serviceId);
    const disabled = report.plan.changes.map((c) => c.before?.accountId);
    expect(disabled).not.toContain(serviceId);
    expect(report.plan.changes.map((c) => c.action)).toEqual(['disable']);
    expect(report.plan.diagnostics).toContainEqual(expect.objectContaining({ code: 'reconcile.bind_account', target: 'corp-ldap' }));
  });
});
