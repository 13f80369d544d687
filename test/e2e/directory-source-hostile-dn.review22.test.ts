import { describe, expect, it } from 'vitest';
import { formatDn, parseDn } from '../../src/core/dn.js';
import { change, inetOrgPerson, useLdapSource } from './directory-source-fixtures.js';

/**
 * Review 22 (security): today's syncrepl manager-left pass (sync-managers.ts)
 * puts the DN of a manager who left into a filter that reads their reports
 * again (reports.ts). A DN is what whoever may create or rename an entry
 * chooses: here a manager whose uid holds every RFC 4515 metacharacter
 * (`*`, `(`, `)`, `\`), a filter operator (`|`) and non-ASCII text. The
 * filter must take it as one value: their reports are read again and
 * resolve to them, an unrelated person's `(uid=*`-shaped entry is not
 * touched, and the pass does not fail on a filter the DN broke.
 */
const FILTER = '(&(objectClass=inetOrgPerson)(!(description=out)))';
const HOSTILE = 'Zoë *)(|(uid=*) \\ x';

describe('a manager with a hostile DN leaving an ldap syncrepl source', () => {
  const world = useLdapSource({
    slapd: { syncprov: { sessionlog: 100 }, refint: false },
    prefix: 'roster-dirsrc-hostile-dn-review22-',
    ous: ['hx'],
    async seed(admin, slapd) {
      const dn = (uid: string) => formatDn([[{ type: 'uid', value: uid }], ...parseDn(`ou=hx,${slapd.suffix}`)]);
      await admin.add(dn(HOSTILE), inetOrgPerson(HOSTILE, 'HX-H'));
      await admin.add(dn('plain'), inetOrgPerson('plain', 'HX-N'));
      for (const report of ['h1', 'h2']) await admin.add(dn(report), inetOrgPerson(report, `HX-${report.toUpperCase()}`, { manager: dn(HOSTILE) }));
      await admin.add(dn('n1'), inetOrgPerson('n1', 'HX-N1', { manager: dn('plain') }));
    },
    sources: (slapd) => [
      { id: 'hx', base: `ou=hx,${slapd.suffix}`, changes: 'syncrepl', maxMissing: '50%', filter: FILTER, attributes: '{ givenName: givenName, managerId: manager }' },
    ],
    app: { attributes: '{ username: identity.givenName }' },
  });
  const hostileDn = () => formatDn([[{ type: 'uid', value: HOSTILE }], ...parseDn(`ou=hx,${world.slapd.suffix}`)]);
  const managerOf = async (key: string) => (await world.engine.store.identities.get(key))?.attributes.managerId;
  const pass = (mode: 'full' | 'incremental') => world.engine.readSource('hx', 'test', { mode });

  it('first full pass: the reports name the hostile manager by key', async () => {
    expect(await pass('full')).toMatchObject({ received: 5, created: 5 });
    expect(await managerOf('HX-H1')).toBe('HX-H');
    expect(await managerOf('HX-N1')).toBe('HX-N');
  });

  it('the hostile manager leaves the filter: the pass reads their reports by that DN as one value, and nobody else changes', async () => {
    await world.admin.modify(hostileDn(), [change('replace', 'description', ['out'])]);
    const read = await pass('incremental');
    // Their DN is unchanged: the reports still name them (as a full pass reads it); only the manager left.
    expect(read).toMatchObject({ mode: 'incremental', missing: 1, changed: 0 });
    expect((await world.engine.store.identities.get('HX-H'))?.state).toBe('terminated');
    for (const report of ['HX-H1', 'HX-H2']) expect(await managerOf(report)).toBe('HX-H');
    expect(await managerOf('HX-N1')).toBe('HX-N');
    expect(await pass('full')).toMatchObject({ mode: 'full', created: 0, changed: 0, missing: 0 });
  });
});
