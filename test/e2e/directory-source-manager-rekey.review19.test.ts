import { describe, expect, it } from 'vitest';
import { change, inetOrgPerson, nextSecond, useLdapSource, type LdapSourceYaml } from './directory-source-fixtures.js';

/**
 * Review 19: a manager whose key changes in OpenLDAP. The reports' `manager`
 * DN stays as it is, so their entries do not change (no new entryCSN, no new
 * modifyTimestamp) and an incremental pass reads only the manager. Without
 * reading the reports again they keep naming the old key, a leaver now, until
 * the next full pass (rare with syncrepl): approvals and notifications that go
 * to a person's manager go to someone who left.
 */
const ou = (name: string) => `ou=${name},${world.slapd.suffix}`;

const source = (id: string, extra: Partial<LdapSourceYaml> = {}): LdapSourceYaml => ({
  id, base: ou(id), maxMissing: '50%', attributes: '{ givenName: givenName, managerId: manager }', ...extra,
});

const world = useLdapSource({
  slapd: { syncprov: { sessionlog: 100 } },
  prefix: 'roster-dirsrc-rekey-review19-',
  ous: ['sync', 'stamp'],
  sources: () => [source('sync', { changes: 'syncrepl' }), source('stamp')],
  app: { attributes: '{ username: identity.givenName }' },
});

async function team(id: string): Promise<void> {
  await world.admin.add(`uid=boss,${ou(id)}`, inetOrgPerson('boss', `${id}-B1`));
  for (const name of ['r1', 'r2']) await world.admin.add(`uid=${name},${ou(id)}`, inetOrgPerson(name, `${id}-${name}`, { manager: `uid=boss,${ou(id)}` }));
}

const managerOf = async (key: string) => (await world.engine.store.identities.get(key))?.attributes.managerId;

describe('a manager whose key changes (review 19)', () => {
  for (const id of ['sync', 'stamp']) {
    it(`${id}: the reports name the new key at the next incremental pass, not the old one`, async () => {
      await team(id);
      expect(await world.engine.readSource(id, 'test')).toMatchObject({ received: 3, created: 3 });
      expect(await managerOf(`${id}-r1`)).toBe(`${id}-B1`);
      await nextSecond();
      await world.admin.modify(`uid=boss,${ou(id)}`, [change('replace', 'employeeNumber', [`${id}-B1X`])]);
      await world.engine.readSource(id, 'test', { mode: 'incremental' });
      // The manager is the same identity under the new key (keyChanges: follow, review 22).
      expect(await world.engine.store.identities.get(`${id}-B1`)).toMatchObject({ state: 'active', attributes: { employeeNumber: `${id}-B1X`, managerId: '' } });
      for (const report of [`${id}-r1`, `${id}-r2`]) expect(await managerOf(report)).toBe(`${id}-B1X`);
      // Nothing changed since: the next pass reads nobody again, and the reports stay right.
      await world.engine.readSource(id, 'test', { mode: 'incremental' });
      for (const report of [`${id}-r1`, `${id}-r2`]) expect(await managerOf(report)).toBe(`${id}-B1X`);
    });
  }
});
