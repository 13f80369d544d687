import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { inetOrgPerson, rosterCli, useLdapSource } from './directory-source-fixtures.js';

/**
 * review22: what a newcomer following docs/directory-sources.md reads on the
 * terminal for an `ldap` source. A problem with an entry was printed as
 * `line 3 (E3): entry uid=p3,…` (the "line" only where the entry came in the
 * server's answer), and `roster explain` printed a manager cleared in the
 * directory as a blank after the arrow (`managerId: E1 →   mover.manager`).
 */
const people = (suffix: string) => `ou=people,${suffix}`;

const world = useLdapSource({
  prefix: 'roster-r22-dirsrc-cli-',
  async seed(admin, slapd) {
    const base = people(slapd.suffix);
    await admin.add(`uid=boss,${base}`, inetOrgPerson('boss', 'E1', { mail: 'boss@example.com' }));
    await admin.add(`uid=p2,${base}`, inetOrgPerson('p2', 'E2', { mail: 'p2@example.com', manager: `uid=boss,${base}` }));
    // A manager DN that names nobody (moved or deleted without the refint overlay keeping `manager` in step).
    await admin.add(`uid=p3,${base}`, inetOrgPerson('p3', 'E3', { mail: 'p3@example.com', manager: `uid=gone,${base}` }));
    await admin.add(`uid=svc,${base}`, inetOrgPerson('svc', undefined));
  },
  sources: (slapd) => [{
    id: 'corp', base: people(slapd.suffix), schedule: '*/5 * * * *',
    attributes: '{ givenName: givenName, familyName: sn, email: mail, managerId: manager }',
  }],
  app: { attributes: '{ username: identity.employeeNumber, email: identity.email }' },
});

const roster = rosterCli(world);

describe('review22: an ldap source on the terminal', () => {
  it('roster sync names a problem entry by its key and DN, not by a "line" of the directory\'s answer', async () => {
    const sync = await roster('sync', '--yes');
    expect(sync.code).toBe(0);
    const base = people(world.slapd.suffix);
    expect(sync.stdout).toContain(`Source corp: 3 received, 3 new, 0 changed, 0 missing, 2 problems`);
    expect(sync.stdout).toContain(`  E3: entry uid=p3,${base}: manager uid=gone,${base} was not found or has no employeeNumber; managerId left empty\n`);
    expect(sync.stdout).toContain(`  entry uid=svc,${base} has no employeeNumber: it cannot be correlated\n`);
    expect(sync.stdout).not.toMatch(/^  line \d/m);
    // --json keeps where each came in the answer.
    const plan = await roster('plan', '--json');
    const rows = (JSON.parse(plan.stdout) as { diagnostics: { line?: number; key?: string }[] }).diagnostics;
    expect(rows.filter((d) => d.line !== undefined)).toHaveLength(2);
  });

  it('roster explain shows a manager cleared in the directory as "", not as a blank', async () => {
    const base = people(world.slapd.suffix);
    await world.admin.modify(`uid=p2,${base}`, new Change({ operation: 'delete', modification: new Attribute({ type: 'manager', values: [] }) }));
    const read = await world.engine.readSource('corp', 'test', { mode: 'incremental' });
    expect(read).toMatchObject({ received: 1, changed: 1 });
    const explain = await roster('explain', 'E2');
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/ mover managerId: E1 → ""  mover\.manager\n/);
  });
});
