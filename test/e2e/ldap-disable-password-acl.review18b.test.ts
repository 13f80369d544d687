import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';
import { ldapExampleYaml } from '../support/ldap-example.js';
import { addServiceAccount, bindsAt, linkedEntry, serviceAcl, serviceDn } from '../support/ldap-login.js';

/**
 * review18b: the examples/ldap project (`move` to ou=disabled with
 * `password: remove`) bound as a service account that may not write
 * userPassword below ou=disabled, with a mapped initial password: under the
 * ACL docs/directories.md gives for `move` (no access there for anyone but
 * the rootDN), and under one that still lets users bind there. The password
 * must go with the leaver's disable, and no `reconcile` and later plan may
 * leave the leaver's entry in ou=disabled holding it. (A removal made after
 * the move was refused there: every leaver's disable failed, and a
 * reconcile then recorded the entry as disabled, so no plan removed it
 * again; under the second ACL the leaver bound through the whole grace.)
 */
const SUFFIX = 'dc=example,dc=com';
const SERVICE = serviceDn(SUFFIX);
const INITIAL = 'Init-A1-Zq7x';

const UNDER_DISABLED = {
  'the ACL the docs give for move': `to dn.subtree="ou=disabled,${SUFFIX}" attrs=userPassword by * none`,
  'an ACL that lets users bind in ou=disabled but nobody write there': `to dn.subtree="ou=disabled,${SUFFIX}" attrs=userPassword by anonymous auth by * none`,
};

describe.each(Object.entries(UNDER_DISABLED))('review18b: disable.password: remove under %s', (_name, rule) => {
  let slapd: RunningSlapd;
  let admin: Client;
  let dir: string;
  let engine: Engine;
  const clock = { now: new Date('2026-12-01T09:00:00Z') };

  beforeAll(async () => {
    slapd = await startSlapd({
      randomPort: true, suffix: SUFFIX,
      acl: serviceAcl(SUFFIX, rule),
    });
    admin = await adminClient(slapd);
    await addServiceAccount(admin, SUFFIX, slapd.password);
    dir = mkdtempSync(join(tmpdir(), 'roster-disable-pw-acl-'));
    const yaml = ldapExampleYaml(slapd.url, {
      bindDN: SERVICE, executor: '{ concurrency: 4, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 20 }', password: '"Init-" + identity.employeeId + "-Zq7x"',
    });
    expect(yaml).toContain(`bindDN: ${SERVICE}`);
    expect(yaml).toContain('maxAttempts: 2');
    expect(yaml).toContain('password: remove');
    writeFileSync(join(dir, 'roster.yaml'), yaml);
    writeFileSync(join(dir, 'employees.csv'), csv([]));
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now, env: { ...process.env, LDAP_PASSWORD: slapd.password } });
  });
  afterAll(async () => {
    await engine.close();
    await tearDown({ client: admin, server: slapd, dirs: [dir] });
  });


  it('the leaver is moved without the password, and stays so through reconcile and the next plans', async () => {
    const ada = person({ employeeId: 'A1', givenName: 'Ada', familyName: 'Acl', department: 'Finance' });
    const sync = async (rows: readonly (typeof ada)[]) => {
      writeFileSync(join(dir, 'employees.csv'), csv(rows));
      return (await engine.sync({ actor: 'test' })).result?.errors ?? [];
    };
    await engine.readSource('hr', 'test');
    await engine.reconcile('corp-ldap', { actor: 'test', force: true });
    expect(await sync([ada])).toEqual([]);
    expect(await bindsAt(slapd.url, (await linkedEntry(engine, admin, SUFFIX, 'A1')).dn, INITIAL)).toBe(true);
    clock.now = new Date('2026-12-21T09:00:00Z');
    const leaver = { ...ada, endDate: '2026-12-20', status: 'terminated' };
    const first = await sync([leaver]);
    // A reconcile (scheduled, or by hand) between the leaver's plan and the next one.
    await engine.reconcile('corp-ldap', { actor: 'test' });
    const second = await sync([leaver]);
    const now = await linkedEntry(engine, admin, SUFFIX, 'A1');
    expect({ first, second, disabled: now.dn.includes('ou=disabled'), passwords: now.passwords, binds: await bindsAt(slapd.url, now.dn, INITIAL) })
      .toEqual({ first: [], second: [], disabled: true, passwords: 0, binds: false });
    expect((await engine.plan()).changes).toEqual([]);
  });
});
