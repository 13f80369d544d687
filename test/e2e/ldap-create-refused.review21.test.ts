import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, groupsOf, tearDown } from './directory-config.js';
import { csv, person } from './helpers.js';
import { ldapExampleYaml } from '../support/ldap-example.js';
import { addServiceAccount, serviceAcl, serviceDn } from '../support/ldap-login.js';

/**
 * Review 21, against a real slapd: Roster binds as a service account the
 * ACL does not let add entries under ou=people (LDAP 50). Each joiner's
 * create is refused for good; their group grants are not attempted, each
 * failed naming the create and its error (not "account … is not in target"),
 * and no group is touched. Once the right is granted (the ACL changed, slapd
 * restarted), the next sync creates the accounts and grants their groups,
 * once, and the plan after it is empty.
 */
const SUFFIX = 'dc=example,dc=com';
const SERVICE = serviceDn(SUFFIX);
const NO_ADD = `to dn.subtree="ou=people,${SUFFIX}" attrs=children by * read`;

describe('review21: a create the directory refuses for good, and the grants behind it', () => {
  let slapd: RunningSlapd;
  let admin: Client;
  let dir: string;
  let engine: Engine;
  const people = [
    person({ employeeId: 'R21E1', givenName: 'Ada', familyName: 'Lovelace', department: 'Engineering' }),
    person({ employeeId: 'R21E2', givenName: 'Alan', familyName: 'Turing', department: 'Engineering' }),
  ];

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true, suffix: SUFFIX, acl: serviceAcl(SUFFIX, NO_ADD) });
    admin = await adminClient(slapd);
    await addServiceAccount(admin, SUFFIX, slapd.password);
    dir = mkdtempSync(join(tmpdir(), 'roster-r21-refused-'));
    writeFileSync(join(dir, 'roster.yaml'), ldapExampleYaml(slapd.url, { bindDN: SERVICE, executor: '{ concurrency: 2, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 20 }' }));
    writeFileSync(join(dir, 'employees.csv'), csv(people));
    engine = await openEngine(join(dir, 'roster.yaml'), { env: { ...process.env, LDAP_PASSWORD: slapd.password } });
  });
  afterAll(async () => {
    await engine?.close();
    await tearDown({ client: admin, server: slapd, dirs: [dir] });
  });

  it('the grants are not attempted, naming the refused create; after the right is granted the next sync creates and grants', async () => {
    await engine.readSource('hr', 'test');
    await engine.reconcile('corp-ldap', { actor: 'test', force: true });
    const first = (await engine.sync({ actor: 'test' })).result!;
    // Engineering: all-staff, engineering, git-users.
    expect({ applied: first.applied, failed: first.failed, pending: first.pending }).toEqual({ applied: 0, failed: 8, pending: 0 });
    const creates = first.errors.filter((e) => e.changeId.endsWith(':create'));
    expect(creates).toHaveLength(2);
    for (const e of creates) expect(e.error).toMatch(/^target\.rejected: .*may not create it.*LDAP 50/);
    for (const e of first.errors.filter((x) => !x.changeId.endsWith(':create'))) {
      const [, identity] = e.changeId.split(':');
      const create = creates.find((c) => c.changeId === `corp-ldap:${identity}:create`)!;
      const uid = identity === 'R21E1' ? 'ada.lovelace' : 'alan.turing';
      expect(e.error).toBe(`not attempted: the create of ${uid} on corp-ldap failed: ${create.error}`);
    }
    expect(JSON.stringify(first.errors)).not.toMatch(/is not in target|no link for/);
    expect((await engine.store.audit.list({ kind: 'change.not_attempted', limit: 20 })).length).toBe(6);
    expect((await admin.search(`ou=people,${SUFFIX}`, { scope: 'one', filter: '(objectClass=*)', attributes: ['1.1'] })).searchEntries).toEqual([]);

    // The right granted: the ACL without the rule that kept the service account from adding (slapd stopped to change cn=config).
    await slapd.kill();
    const rules = [...serviceAcl(SUFFIX, NO_ADD).slice(1), 'to * by users read by * none'].map((rule, i) => `olcAccess: {${i}}${rule}`).join('\n');
    writeFileSync(join(dir, 'acl.ldif'), `dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\nreplace: olcAccess\n${rules}\n`);
    execFileSync('/usr/sbin/slapmodify', ['-n0', '-F', join(slapd.dir, 'slapd.d'), '-l', join(dir, 'acl.ldif')], { stdio: 'pipe' });
    await slapd.restart();
    await admin.unbind().catch(() => undefined);
    admin = await adminClient(slapd);

    const second = (await engine.sync({ actor: 'test' })).result!;
    expect(second.errors).toEqual([]);
    expect({ applied: second.applied, failed: second.failed }).toEqual({ applied: 8, failed: 0 });
    for (const uid of ['ada.lovelace', 'alan.turing']) {
      const dn = `uid=${uid},ou=Engineering,ou=people,${SUFFIX}`;
      expect(await groupsOf(admin, slapd, dn)).toEqual(['all-staff', 'engineering', 'git-users'].map((g) => `cn=${g},ou=groups,${SUFFIX}`));
    }
    expect((await admin.search(`ou=people,${SUFFIX}`, { scope: 'sub', filter: '(uid=*)', attributes: ['1.1'] })).searchEntries).toHaveLength(2);
    expect((await engine.plan()).changes).toEqual([]);
  });
});
