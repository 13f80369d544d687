import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, ldapProjectYaml, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';

/**
 * A value the ldap connector fills in itself on create (`users.defaults`) for
 * an attribute the mapping gives as null is not a change made by hand: a
 * reconcile pass must not put it in the link, or every plan after it would
 * try to clear it (and fail, cn being required).
 */
describe('reconcile and values the connector fills in from users.defaults', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let dir: string;
  let reader: Client;

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-reconcile-defaults-'));
    const s = slapd.suffix;
    writeFileSync(join(dir, 'employees.csv'), csv([person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' })]));
    const yaml = ldapProjectYaml(slapd, {
      usersDn: `uid={uid},ou=people,${s}`,
      userAttributes: { employeeNumber: 'employeeNumber', email: 'mail', cn: 'cn', sn: 'sn', description: 'description' },
      attributes: {
        uid: `'"ada"'`, cn: `'identity.managerId == "" ? dyn(null) : dyn("x")'`, sn: 'identity.familyName',
        description: `'identity.managerId == "" ? dyn(null) : dyn("x")'`, email: 'identity.email', employeeNumber: 'identity.employeeId',
      },
      safety: '{ maxDeletes: 50%, maxDisables: 50%, minAccounts: 0 }',
      orphans: 'report',
    }).replace(/^( *)key: uid$/m, (_m, indent: string) => `${indent}key: uid\n${indent}defaults: { cn: "{uid}", description: "made by roster {uid}" }`);
    writeFileSync(join(dir, 'roster.yaml'), yaml);
    process.env.ROSTER_E2E_LDAP_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'));
    await engine.readSource('hr', 'test');
  });
  afterAll(() => tearDown({ engine, client: reader, server: slapd, dirs: [dir] }));

  it('a plan after a reconcile pass has nothing to do, and the defaults stay', async () => {
    await engine.reconcile('corp-ldap', { actor: 'test' });
    const first = await engine.sync({ actor: 'test' });
    expect(first.result?.errors ?? []).toEqual([]);
    await engine.reconcile('corp-ldap', { actor: 'test' });
    expect((await engine.plan()).changes).toEqual([]);
    const { searchEntries } = await reader.search(`ou=people,${slapd.suffix}`, { scope: 'sub', filter: '(uid=ada)', attributes: ['cn', 'description'] });
    expect(searchEntries[0]).toMatchObject({ cn: 'ada', description: 'made by roster ada' });
  });
});
