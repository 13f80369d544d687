import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';
import { csv, person, type Person } from './helpers.js';
import { ldapExampleYaml } from '../support/ldap-example.js';
import { addServiceAccount, bindsAt, linkedEntry, serviceAcl, serviceDn } from '../support/ldap-login.js';

/**
 * review18c: the examples/ldap project (`move` to ou=disabled) bound as a
 * service account, under the ACL docs/directories.md gives for `move` (no
 * access to userPassword below ou=disabled for anyone but the rootDN), with
 * a mapped initial password that depends on the location. A leaver is
 * rehired in another city: the rehire's enable wrote the new password at the
 * disabled DN before moving the entry back, which the server refused, so
 * every rehire failed. With `password: remove` and with `keep`, the rehire
 * must come back where it belongs with the mapped password (never the
 * former one), and the plan after it must be empty.
 */
const SUFFIX = 'dc=example,dc=com';
const SERVICE = serviceDn(SUFFIX);
const passwordOf = (p: Person) => `Init-${p.employeeId}-${p.location}-Zq7x`;

describe.each(['remove', 'keep'] as const)('review18c: a rehire under the ACL that shuts ou=disabled, disable.password: %s', (password) => {
  let slapd: RunningSlapd;
  let admin: Client;
  let dir: string;
  let engine: Engine;
  const clock = { now: new Date('2026-12-01T09:00:00Z') };

  beforeAll(async () => {
    slapd = await startSlapd({
      randomPort: true, suffix: SUFFIX,
      acl: serviceAcl(SUFFIX, `to dn.subtree="ou=disabled,${SUFFIX}" attrs=userPassword by * none`),
    });
    admin = await adminClient(slapd);
    await addServiceAccount(admin, SUFFIX, slapd.password);
    dir = mkdtempSync(join(tmpdir(), 'roster-rehire-acl-'));
    const yaml = ldapExampleYaml(slapd.url, {
      bindDN: SERVICE, disablePassword: password, executor: '{ concurrency: 4, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 20 }', password: '"Init-" + identity.employeeId + "-" + identity.location + "-Zq7x"',
    });
    expect(yaml).toContain(`bindDN: ${SERVICE}`);
    expect(yaml).toContain(`password: ${password} }`);
    expect(yaml).toContain('secrets: [password]');
    writeFileSync(join(dir, 'roster.yaml'), yaml);
    writeFileSync(join(dir, 'employees.csv'), csv([]));
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now, env: { ...process.env, LDAP_PASSWORD: slapd.password } });
  });
  afterAll(async () => {
    await engine.close();
    await tearDown({ client: admin, server: slapd, dirs: [dir] });
  });

  async function sync(rows: readonly Person[]): Promise<readonly unknown[]> {
    writeFileSync(join(dir, 'employees.csv'), csv(rows));
    return (await engine.sync({ actor: 'test' })).result?.errors ?? [];
  }

  it('the leaver is disabled; the rehire comes back with the mapped password, the former one refused; nothing left to plan', async () => {
    const rae = person({ employeeId: 'R1', givenName: 'Rae', familyName: 'Rehire', department: 'Finance', location: 'London' });
    await engine.readSource('hr', 'test');
    await engine.reconcile('corp-ldap', { actor: 'test', force: true });
    expect(await sync([rae])).toEqual([]);
    expect(await bindsAt(slapd.url, (await linkedEntry(engine, admin, SUFFIX, 'R1')).dn, passwordOf(rae))).toBe(true);
    clock.now = new Date('2026-12-21T09:00:00Z');
    expect(await sync([{ ...rae, endDate: '2026-12-20', status: 'terminated' }])).toEqual([]);
    const left = await linkedEntry(engine, admin, SUFFIX, 'R1');
    expect({ disabled: left.dn.includes('ou=disabled'), passwords: left.passwords, binds: await bindsAt(slapd.url, left.dn, passwordOf(rae)) })
      .toEqual({ disabled: true, passwords: password === 'remove' ? 0 : 1, binds: false });
    clock.now = new Date('2027-01-05T09:00:00Z');
    const back = { ...rae, location: 'Paris', startDate: '2027-01-05', endDate: '', status: 'active' };
    expect(await sync([back])).toEqual([]);
    const now = await linkedEntry(engine, admin, SUFFIX, 'R1');
    expect({ dn: now.dn, passwords: now.passwords, mapped: await bindsAt(slapd.url, now.dn, passwordOf(back)), former: await bindsAt(slapd.url, now.dn, passwordOf(rae)) })
      .toEqual({ dn: `uid=rae.rehire,ou=Finance,ou=people,${SUFFIX}`, passwords: 1, mapped: true, former: false });
    expect((await engine.plan()).changes).toEqual([]);
    const audit = JSON.stringify(await engine.store.audit.list({ identity: 'R1' }));
    expect(audit).toContain('"newPassword":true');
    expect(audit).not.toMatch(/Init-R1-(London|Paris)-Zq7x/);
  });
});
