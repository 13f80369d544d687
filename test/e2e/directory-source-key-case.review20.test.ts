import { describe, expect, it } from 'vitest';
import { inetOrgPerson, nextSecond, useLdapSource } from './directory-source-fixtures.js';

/**
 * A second entry whose employeeNumber differs from a person's only in letter
 * case (`e7` beside `E7`): slapd compares employeeNumber with
 * caseIgnoreMatch, so to the directory the two share one key, and Roster
 * takes a key respelled in case as the stored person (lifecycle/respelled.ts).
 * Before review 20 the holder check compared keys exactly: an incremental
 * pass that read the new entry alone took it as the stored E7, and Ada's
 * identity became Bob (his name and mail, a mover that renames her accounts),
 * until the next full pass gave it back and made Bob a joiner. Each entry is
 * reported and skipped, in both kinds of pass, by timestamp and by syncrepl;
 * Ada is never a leaver and never changes.
 */
const ou = (name: string) => `ou=${name},${world.slapd.suffix}`;

const world = useLdapSource({
  prefix: 'roster-dirsrc-keycase-',
  slapd: { syncprov: true },
  ous: ['timestamp', 'syncrepl'],
  sources: () => [
    { id: 'timestamp', base: ou('timestamp'), schedule: '*/5 * * * *', maxMissing: '50%', attributes: '{ givenName: givenName, email: mail }' },
    { id: 'syncrepl', base: ou('syncrepl'), schedule: '*/5 * * * *', changes: 'syncrepl', maxMissing: '50%', attributes: '{ givenName: givenName, email: mail }' },
  ],
  app: { attributes: '{ username: identity.email }', lines: ['safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }'] },
});

describe('ldap source: an entry whose key differs from a person\'s only in letter case (review 20)', () => {
  for (const [id, prefix] of [['timestamp', 'T'], ['syncrepl', 'S']] as const) {
    it(`${id}: the new entry takes nothing from the person, in the incremental pass and the full one`, async () => {
      const ada = `${prefix}7`;
      const bob = ada.toLowerCase();
      await world.admin.add(`uid=ada,${ou(id)}`, inetOrgPerson('ada', ada, { mail: `ada-${id}@example.com` }));
      await world.admin.add(`uid=alan,${ou(id)}`, inetOrgPerson('alan', `${prefix}2`, { mail: `alan-${id}@example.com` }));
      expect(await world.engine.readSource(id, 'test', { mode: 'full' })).toMatchObject({ received: 2, created: 2 });
      const before = await world.engine.store.identities.get(ada);
      await nextSecond();
      await world.admin.add(`uid=bob,${ou(id)}`, inetOrgPerson('bob', bob, { mail: `bob-${id}@example.com` }));

      const incremental = await world.engine.readSource(id, 'test', { mode: 'incremental' });
      expect(incremental).toMatchObject({ received: 0, created: 0, changed: 0, missing: 0, events: [] });
      expect(incremental.problems).toEqual([expect.objectContaining({ key: bob, message: expect.stringContaining(`also held by uid=ada,${ou(id)}`) })]);
      expect(await world.engine.store.identities.get(ada)).toEqual(before);

      const full = await world.engine.readSource(id, 'test', { mode: 'full' });
      expect(full).toMatchObject({ received: 1, created: 0, changed: 0, missing: 0, events: [] });
      expect(full.problems.map((p) => p.key).sort()).toEqual([ada, bob].sort());
      expect(await world.engine.store.identities.get(ada)).toEqual(before);
      expect(await world.engine.store.identities.get(bob)).toBeUndefined();
    });
  }
});
