import { describe, expect, it } from 'vitest';
import { inetOrgPerson, rosterCli, useLdapSource } from './directory-source-fixtures.js';

/**
 * review22: an `ldap` source's problems on the terminal, against a private
 * slapd, speak of entries (key, DN, attribute), never of a "line" (only where
 * the entry came in the server's answer) or a "column": a start date that is
 * no date said `line 4 (E4): column "startDate" is not an ISO date …`, and an
 * entry without a key kept anyone from being gone with "1 row(s) without a
 * readable key (line 4)".
 */
const people = (suffix: string) => `ou=people,${suffix}`;

const world = useLdapSource({
  prefix: 'roster-r22-entry-wording-',
  async seed(admin, slapd) {
    const base = people(slapd.suffix);
    await admin.add(`uid=p1,${base}`, inetOrgPerson('p1', 'E1', { mail: 'p1@example.com' }));
    await admin.add(`uid=p2,${base}`, inetOrgPerson('p2', 'E2', { mail: 'p2@example.com' }));
    await admin.add(`uid=p3,${base}`, inetOrgPerson('p3', 'E3', { mail: 'p3@example.com' }));
    await admin.add(`uid=p4,${base}`, inetOrgPerson('p4', 'E4', { mail: 'p4@example.com', description: '31/12/2026' }));
    await admin.add(`uid=svc,${base}`, inetOrgPerson('svc', undefined));
  },
  sources: (slapd) => [{
    id: 'corp', base: people(slapd.suffix), schedule: '*/5 * * * *', maxMissing: '50%',
    attributes: '{ givenName: givenName, familyName: sn, email: mail, startDate: description }',
  }],
  app: { attributes: '{ username: identity.employeeNumber, email: identity.email }' },
});

const roster = rosterCli(world);

describe('review22: an ldap source\'s problems name entries, not lines and columns', () => {
  it('a bad date names the DN and attribute; an entry without a key holds the leavers, named by its DN', async () => {
    const base = people(world.slapd.suffix);
    const first = await roster('sync', '--yes');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `  E4: entry uid=p4,${base}: description (startDate) is not a date (an ISO date, a date-time or a directory time): "31/12/2026"\n`,
    );
    await world.admin.del(`uid=p3,${base}`);
    const second = await roster('sync', '--yes');
    expect(second.stdout).toContain(
      `corp: 1 entry without a readable key (entry uid=svc,${base} has no employeeNumber: it cannot be correlated); `
        + 'nobody is treated as gone from this snapshot until they are fixed',
    );
    for (const out of [first.stdout, second.stdout]) {
      expect(out).not.toMatch(/\bline \d|row\(s\)|column "/);
    }
    const plan = JSON.parse((await roster('plan', '--json')).stdout) as { diagnostics: { code: string; line?: number; key?: string }[] };
    // --json keeps where each entry came in the answer.
    expect(plan.diagnostics.find((d) => d.key === 'E4')?.line).toBeGreaterThan(0);
  });
});
