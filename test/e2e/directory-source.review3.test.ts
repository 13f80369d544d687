import { Change } from 'ldapts';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { change, inetOrgPerson, nextSecond, useLdapSource, type LdapSourceYaml } from './directory-source-fixtures.js';

/**
 * Review 3 of the ldap source (docs/directory-sources.md is the contract):
 * each test fails on the code as it was reviewed.
 */
const ou = (name: string) => `ou=${name},${world.slapd.suffix}`;

function person(uid: string, employeeNumber: string, extra: Record<string, string> = {}) {
  return inetOrgPerson(uid, employeeNumber, { departmentNumber: 'Engineering', ...extra });
}

function replace(type: string, value: string): Change {
  return change('replace', type, [value]);
}

/**
 * Runs `duringPass` (once) after the first page of the next paged search was
 * handed to Roster: a change someone makes in the directory while a pass is
 * under way. The directory is not touched by this, only the timing.
 */
let duringPass: (() => Promise<void>) | undefined;
vi.mock('../../src/connectors/directory/paged-search.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/connectors/directory/paged-search.js')>();
  return {
    ...original,
    async *pagedSearch(...args: Parameters<typeof original.pagedSearch>) {
      let page = 0;
      for await (const result of original.pagedSearch(...args)) {
        yield result;
        page += 1;
        const hook = duringPass;
        if (page === 1 && hook !== undefined) {
          duringPass = undefined;
          await hook();
        }
      }
    },
  };
});

const source = (id: string, base: string, pageSize: number): LdapSourceYaml => ({
  id, base, schedule: '*/5 * * * *', maxMissing: '50%', pageSize, attributes: '{ givenName: givenName, familyName: sn, department: departmentNumber, managerId: manager }',
});

const world = useLdapSource({
  prefix: 'roster-dirsrc-review3-',
  ous: ['paged', 'mgr', 'dup'],
  sources: () => [source('paged', ou('paged'), 1), source('mgr', ou('mgr'), 100), source('dup', ou('dup'), 100)],
  app: { attributes: '{ username: identity.employeeNumber }' },
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('ldap source, review 3', () => {
  it('a change made while a paged incremental pass runs is read by the next incremental pass', async () => {
    // Added in this order, so slapd pages through them in this order: p1, p0, p3.
    await world.admin.add(`uid=p1,${ou('paged')}`, person('p1', 'P1'));
    await world.admin.add(`uid=p0,${ou('paged')}`, person('p0', 'P0'));
    await world.admin.add(`uid=p3,${ou('paged')}`, person('p3', 'P3'));
    expect(await world.engine.readSource('paged', 'test')).toMatchObject({ received: 3, created: 3 });

    await nextSecond();
    await world.admin.modify(`uid=p0,${ou('paged')}`, [replace('departmentNumber', 'Before the pass')]);
    // While the incremental pass is between its first and second page, p1 (before the page the
    // pass has got to) and, a second later, p3 (after it) change.
    duringPass = async () => {
      await world.admin.modify(`uid=p1,${ou('paged')}`, [replace('departmentNumber', 'During the pass')]);
      await nextSecond();
      await world.admin.modify(`uid=p3,${ou('paged')}`, [replace('departmentNumber', 'Later in the pass')]);
    };
    const during = await world.engine.readSource('paged', 'test', { mode: 'incremental' });
    expect(duringPass).toBeUndefined();
    expect([...during.affected].sort()).toEqual(['P0', 'P3']);

    // Docs: an incremental pass reads "the entries changed since the stored cursor". p1 changed
    // after the previous pass read it; the cursor (p3's second) skips it until the next full pass.
    const next = await world.engine.readSource('paged', 'test', { mode: 'incremental' });
    expect(next.affected).toContain('P1');
    expect((await world.engine.store.identities.get('P1'))?.attributes.department).toBe('During the pass');
  });

  it('a manager the directory answers with a referral for (another domain) is a problem, not a failed pass', async () => {
    // A subordinate reference: the directory refers base searches under it to another server,
    // as Active Directory does for a DN in another domain of the forest.
    await world.admin.add(`ou=partner,${world.slapd.suffix}`, {
      objectClass: ['referral', 'extensibleObject'], ou: 'partner', ref: `ldap://partner.example.org/ou=partner,${world.slapd.suffix}`,
    });
    await world.admin.add(`uid=m1,${ou('mgr')}`, person('m1', 'M1', { manager: `uid=pboss,ou=partner,${world.slapd.suffix}` }));
    await world.admin.add(`uid=m2,${ou('mgr')}`, person('m2', 'M2'));
    // Docs: "A manager that cannot be found leaves "" and a problem".
    const result = await world.engine.readSource('mgr', 'test');
    expect(result).toMatchObject({ received: 2, created: 2 });
    expect(result.problems).toEqual([expect.objectContaining({ key: 'M1', message: expect.stringContaining(`manager uid=pboss,ou=partner,${world.slapd.suffix}`) })]);
    expect((await world.engine.store.identities.get('M1'))?.attributes.managerId).toBe('');
  });

  it('an incremental pass does not hand one person\'s identity to another entry that took their key', async () => {
    await world.admin.add(`uid=alice,${ou('dup')}`, person('alice', 'D1'));
    await world.admin.add(`uid=bob,${ou('dup')}`, person('bob', 'D2'));
    expect(await world.engine.readSource('dup', 'test')).toMatchObject({ received: 2, created: 2 });
    await nextSecond();
    // A typo in the directory: bob is given alice's employee number.
    await world.admin.modify(`uid=bob,${ou('dup')}`, [replace('employeeNumber', 'D1')]);
    const result = await world.engine.readSource('dup', 'test', { mode: 'incremental' });
    // Docs: an entry "with a key another entry already has, is a source problem naming the entry's DN".
    expect(result.problems).toEqual([expect.objectContaining({ key: 'D1', message: expect.stringContaining(`uid=bob,${ou('dup')}`) })]);
    expect((await world.engine.store.identities.get('D1'))?.attributes.givenName).toBe('Given alice');
  });
});
