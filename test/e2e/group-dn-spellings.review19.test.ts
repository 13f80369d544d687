import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { adminClient, tearDown } from './directory-config.js';

/**
 * Roles naming groups by DN in RFC 4514 spellings slapd reads back otherwise
 * (`cn=Smith\, John` comes back `cn=Smith\2C John`, `cn=R\26D` as `cn=R&D`).
 * After a reconcile the links hold the server's spelling: the plans after it
 * must see the same groups, not revoke one spelling and grant the other on
 * every run (which took the membership away and back).
 */
describe('group DNs spelled differently by a role and by slapd (review19)', () => {
  let slapd: RunningSlapd;
  let engine: Engine;
  let reader: Client;
  let dir: string;
  const groups = (s: string) => [`cn=Smith\\, John,ou=groups,${s}`, `cn=R\\26D,ou=groups,${s}`, `cn=a\\+b,ou=groups,${s}`, `cn=Zo\\c3\\ab,ou=groups,${s}`];

  beforeAll(async () => {
    slapd = await startSlapd({ randomPort: true });
    reader = await adminClient(slapd);
    dir = mkdtempSync(join(tmpdir(), 'roster-dn-spellings-'));
    const s = slapd.suffix;
    writeFileSync(join(dir, 'hr.csv'), 'employeeId,uid,givenName\nE1,ada,Ada\nE2,bob,Bob\n');
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources: [{ id: hr, type: csv, path: ./hr.csv, key: employeeId }]
targets:
  - id: l
    type: ldap
    connection:
      url: ${slapd.url}
      bindDN: "${slapd.bindDN}"
      password: \${env:ROSTER_R19_DN_PASSWORD}
      users: { base: "ou=people,${s}", dn: "uid={uid},ou=people,${s}", key: uid }
      groups: { base: "ou=groups,${s}", objectClass: groupOfNames, create: true }
    accountKey: uid
    attributes: { uid: identity.uid, cn: identity.givenName, sn: identity.givenName }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
roles:
  - { id: r, when: "true", grants: { l: ${JSON.stringify(groups(s))} } }
`);
    process.env.ROSTER_R19_DN_PASSWORD = slapd.password;
    engine = await openEngine(join(dir, 'roster.yaml'), { log: silentLogger });
  });
  afterAll(() => tearDown({ engine, client: reader, server: slapd, dirs: [dir] }));

  it('plans nothing after a reconcile reads the groups back in the server\'s spelling', async () => {
    await engine.readSource('hr', 'test');
    const applied = await engine.apply(await engine.plan(), { actor: 'test' });
    expect(applied).toMatchObject({ applied: 10, failed: 0 });
    await engine.reconcile('l', { actor: 'test' });
    // The links now hold slapd's spellings (the premise of the test).
    const [link] = await engine.store.accounts.listAll();
    expect(link?.entitlements).toContain(`cn=Smith\\2C John,ou=groups,${slapd.suffix}`);
    expect(link?.entitlements).toContain(`cn=R&D,ou=groups,${slapd.suffix}`);
    expect((await engine.plan()).changes).toEqual([]);
    // Each group still holds both people.
    const { searchEntries } = await reader.search(`ou=groups,${slapd.suffix}`, { scope: 'one', filter: '(objectClass=groupOfNames)', attributes: ['member'] });
    expect(searchEntries).toHaveLength(4);
    for (const group of searchEntries) expect([group.member].flat().map(String).sort()).toEqual([`uid=ada,ou=people,${slapd.suffix}`, `uid=bob,ou=people,${slapd.suffix}`]);
  });
});
