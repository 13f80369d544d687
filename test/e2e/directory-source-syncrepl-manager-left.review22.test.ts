import { describe, expect, it } from 'vitest';
import { change, inetOrgPerson, useLdapSource } from './directory-source-fixtures.js';

/**
 * Review 22: a manager who leaves an `ldap` source with `changes: syncrepl`.
 * Measured on slapd 2.5: with refint on `manager`, deleting the manager
 * removes `manager` from each report and moving them rewrites it to the new
 * DN, neither moving the report's entryCSN or modifyTimestamp; without refint
 * the reports keep the old DN, which names nobody. The sync from a cookie
 * returned no report, so a deleted manager stayed the manager of their
 * reports until the next full pass (4 changes then). Each incremental pass
 * now leaves every report as the next full pass reads it: that full pass
 * finds nothing to change. The same for the deletions a sync lists (session
 * log) and for those it leaves out of its present list (no session log).
 * By modifyTimestamp, deletions are the full pass's to find, and it clears
 * the reports in the same pass.
 */
const FILTER = '(&(objectClass=inetOrgPerson)(!(description=out)))';
/** The key of `uid` in ou=`ou` (each source its own people): `SR-R1`. */
const k = (ou: string, uid: string) => `${ou}-${uid}`.toUpperCase();

describe.each([
  { refint: true, sessionlog: 100, label: 'refint on manager, session log' },
  { refint: true, sessionlog: 0, label: 'refint on manager, present list' },
  { refint: false, sessionlog: 100, label: 'no refint (dangling manager DNs)' },
])('a manager leaving an ldap source ($label)', ({ refint, sessionlog }) => {
  const world = useLdapSource({
    slapd: { syncprov: { sessionlog }, ...(refint ? { refintAttributes: ['manager'] } : { refint: false }) },
    prefix: 'roster-dirsrc-mgr-left-review22-',
    ous: ['sr', 'ts', 'elsewhere'],
    async seed(admin, slapd) {
      for (const ou of ['sr', 'ts']) {
        const dn = (uid: string) => `uid=${uid},ou=${ou},${slapd.suffix}`;
        const teams: [string, string[]][] = [['m1', ['r1', 'r2', 'r3', 'r4']], ['m2', ['s1', 's2']], ['m3', ['t1']], ['m4', ['u1']]];
        for (const [boss, reports] of teams) {
          await admin.add(dn(boss), inetOrgPerson(boss, k(ou, boss)));
          for (const report of reports) await admin.add(dn(report), inetOrgPerson(report, k(ou, report), { manager: dn(boss) }));
        }
      }
    },
    sources: (slapd) => [
      { id: 'sr', base: `ou=sr,${slapd.suffix}`, changes: 'syncrepl', maxMissing: '50%', filter: FILTER, attributes: '{ givenName: givenName, managerId: manager }' },
      { id: 'ts', base: `ou=ts,${slapd.suffix}`, maxMissing: '50%', filter: FILTER, attributes: '{ givenName: givenName, managerId: manager }' },
    ],
    app: { attributes: '{ username: identity.givenName }' },
  });
  const dn = (ou: string, uid: string) => `uid=${uid},ou=${ou},${world.slapd.suffix}`;
  const identity = async (ou: string, uid: string) => await world.engine.store.identities.get(k(ou, uid));
  const managerOf = async (ou: string, uid: string) => (await identity(ou, uid))?.attributes.managerId;
  const pass = (id: string, mode: 'full' | 'incremental') => world.engine.readSource(id, 'test', { mode });
  /** The next full pass reads every report as the incremental pass left it. */
  const settled = async (id: string) => expect(await pass(id, 'full')).toMatchObject({ mode: 'full', created: 0, changed: 0, missing: 0 });

  describe('changes: syncrepl', () => {
    it('first full pass', async () => {
      expect(await pass('sr', 'full')).toMatchObject({ received: 12, created: 12 });
      expect(await managerOf('sr', 'r1')).toBe(k('sr', 'm1'));
    });

    it('a manager deleted: the same incremental pass clears the manager of each report', async () => {
      await world.admin.del(dn('sr', 'm1'));
      const read = await pass('sr', 'incremental');
      expect(read).toMatchObject({ mode: 'incremental', missing: 1, changed: 4 });
      expect((await identity('sr', 'm1'))?.state).toBe('terminated');
      for (const report of ['r1', 'r2', 'r3', 'r4']) expect(await managerOf('sr', report)).toBe('');
      expect(await managerOf('sr', 's1')).toBe(k('sr', 'm2'));
      await settled('sr');
    });

    it('a manager moved out of base: the reports keep the key refint points them to, or lose a DN that names nobody now', async () => {
      await world.admin.modifyDN(dn('sr', 'm2'), `uid=m2,ou=elsewhere,${world.slapd.suffix}`);
      expect(await pass('sr', 'incremental')).toMatchObject({ mode: 'incremental', missing: 1 });
      expect((await identity('sr', 'm2'))?.state).toBe('terminated');
      for (const report of ['s1', 's2']) expect(await managerOf('sr', report)).toBe(refint ? k('sr', 'm2') : '');
      await settled('sr');
    });

    it('a manager moved out of the filter: the reports still name them (the DN is the same)', async () => {
      await world.admin.modify(dn('sr', 'm3'), [change('replace', 'description', ['out'])]);
      expect(await pass('sr', 'incremental')).toMatchObject({ mode: 'incremental', missing: 1 });
      expect((await identity('sr', 'm3'))?.state).toBe('terminated');
      expect(await managerOf('sr', 't1')).toBe(k('sr', 'm3'));
      await settled('sr');
    });

    it('a manager deleted and their DN taken by a new entry in the same pass: the reports name whom their manager DN names', async () => {
      await world.admin.del(dn('sr', 'm4'));
      await world.admin.add(dn('sr', 'm4'), inetOrgPerson('m4', 'SR-M4B'));
      expect(await pass('sr', 'incremental')).toMatchObject({ mode: 'incremental', missing: 1, created: 1 });
      expect(await managerOf('sr', 'u1')).toBe(refint ? '' : 'SR-M4B');
      await settled('sr');
    });
  });

  describe('changes by modifyTimestamp', () => {
    it('a manager deleted: incremental passes do not see it, and the full pass that does clears the reports with it', async () => {
      expect(await pass('ts', 'full')).toMatchObject({ received: 12, created: 12 });
      await world.admin.del(dn('ts', 'm1'));
      expect(await pass('ts', 'incremental')).toMatchObject({ mode: 'incremental', received: 0, missing: 0 });
      expect((await identity('ts', 'm1'))?.state).toBe('active');
      expect(await managerOf('ts', 'r1')).toBe(k('ts', 'm1'));
      expect(await pass('ts', 'full')).toMatchObject({ mode: 'full', missing: 1, changed: 4 });
      expect((await identity('ts', 'm1'))?.state).toBe('terminated');
      for (const report of ['r1', 'r2', 'r3', 'r4']) expect(await managerOf('ts', report)).toBe('');
    });
  });
});
