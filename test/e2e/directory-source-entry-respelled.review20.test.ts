import { describe, expect, it } from 'vitest';
import type { IngestResult } from '../../src/engine/types.js';
import { change, inetOrgPerson, nextSecond, useLdapSource } from './directory-source-fixtures.js';

/**
 * A key that differs from a stored person's only in letter case is that
 * person respelled (lifecycle/respelled.ts) only when it is read from the
 * same directory entry (entryUUID) as the person was. Before review 20, once
 * Ada's entry (E7) was deleted, Bob's entry holding `e7` took Ada's identity
 * over: her accounts renamed to Bob's mail and enabled again, no leaver, no
 * joiner (a pass by modifyTimestamp), or Ada "returned" as Bob at the next
 * full pass (syncrepl). Now Bob is a joiner with accounts of his own and Ada
 * a leaver whose account keeps her name; an entry respelling its own key is
 * still the same person.
 */
const ou = (name: string) => `ou=${name},${world.slapd.suffix}`;

const world = useLdapSource({
  prefix: 'roster-dirsrc-entry-respelled-',
  slapd: { syncprov: true },
  ous: ['timestamp', 'syncrepl'],
  sources: () => [
    { id: 'timestamp', base: ou('timestamp'), schedule: '*/5 * * * *', maxMissing: '50%', attributes: '{ givenName: givenName, email: mail }' },
    { id: 'syncrepl', base: ou('syncrepl'), schedule: '*/5 * * * *', changes: 'syncrepl', maxMissing: '50%', attributes: '{ givenName: givenName, email: mail }' },
  ],
  app: { attributes: '{ username: identity.email }', lines: ['safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }'] },
});

const respelled = (result: IngestResult) => result.diagnostics.filter((d) => d.code === 'source.key_respelled');

async function planAndApply(): Promise<void> {
  const plan = await world.engine.plan({ actor: 'test' });
  expect(plan.held).toBe(false);
  await world.engine.apply(plan, { actor: 'test' });
}

async function account(identityId: string) {
  const links = await world.engine.store.accounts.listByIdentity(identityId);
  expect(links).toHaveLength(1);
  return { username: links[0]!.attributes['username'], enabled: links[0]!.enabled };
}

describe('ldap source: a key respelled in letter case is the person only on their own entry (review 20)', () => {
  for (const [id, prefix] of [['timestamp', 'T'], ['syncrepl', 'S']] as const) {
    const [ada, alan, grace] = [`${prefix}7`, `${prefix}2`, `${prefix}8`];
    const mail = (uid: string) => `${uid}-${id}@example.com`;

    it(`${id}: the same entry rewriting its key in another case keeps its identity and accounts`, async () => {
      for (const [uid, key] of [['ada', ada], ['alan', alan], ['grace', grace]] as const) {
        await world.admin.add(`uid=${uid},${ou(id)}`, inetOrgPerson(uid, key, { mail: mail(uid) }));
      }
      expect(await world.engine.readSource(id, 'test', { mode: 'full' })).toMatchObject({ received: 3, created: 3 });
      await planAndApply();
      expect(await account(grace)).toEqual({ username: mail('grace'), enabled: true });

      await nextSecond();
      await world.admin.modify(`uid=grace,${ou(id)}`, change('replace', 'employeeNumber', [grace.toLowerCase()]));
      const incremental = await world.engine.readSource(id, 'test', { mode: 'incremental' });
      expect(incremental).toMatchObject({ received: 1, created: 0, missing: 0, affected: [grace] });
      expect(respelled(incremental)).toEqual([expect.objectContaining({ key: grace.toLowerCase(), storedKey: grace })]);
      const full = await world.engine.readSource(id, 'test', { mode: 'full' });
      expect(full).toMatchObject({ received: 3, created: 0, missing: 0 });
      expect(respelled(full)).toEqual([expect.objectContaining({ key: grace.toLowerCase(), storedKey: grace })]);
      expect(await world.engine.store.identities.get(grace)).toMatchObject({ state: 'active', attributes: { employeeNumber: grace.toLowerCase() } });
      expect(await world.engine.store.identities.get(grace.toLowerCase())).toBeUndefined();
      await planAndApply();
      expect(await account(grace)).toEqual({ username: mail('grace'), enabled: true });
    });

    it(`${id}: another entry holding the key in another case after the person's deletion is a joiner; the person a leaver`, async () => {
      const bob = ada.toLowerCase();
      await nextSecond();
      await world.admin.del(`uid=ada,${ou(id)}`);
      await world.admin.add(`uid=bob,${ou(id)}`, inetOrgPerson('bob', bob, { mail: mail('bob') }));

      const incremental = await world.engine.readSource(id, 'test', { mode: 'incremental' });
      // Bob is read as a person of his own; Ada is not taken for him. Syncrepl sees her deletion now, a pass by timestamp at the next full pass.
      expect(incremental).toMatchObject({ received: 1, created: 1, missing: id === 'syncrepl' ? 1 : 0 });
      expect(incremental.events.filter((e) => e.identityId === bob).map((e) => e.kind)).toEqual(['joiner']);
      expect(incremental.events.filter((e) => e.identityId === ada).map((e) => e.kind)).toEqual(id === 'syncrepl' ? ['missing'] : []);
      expect(respelled(incremental)).toEqual([expect.objectContaining({ key: bob, storedKeys: [ada], message: expect.stringContaining('another directory entry') })]);
      expect(await world.engine.store.identities.get(bob)).toMatchObject({ attributes: { employeeNumber: bob, email: mail('bob') } });
      expect((await world.engine.store.identities.get(ada))?.attributes).toMatchObject({ employeeNumber: ada, email: mail('ada') });

      const full = await world.engine.readSource(id, 'test', { mode: 'full' });
      expect(full).toMatchObject({ received: 3, created: 0 });
      expect(full.events.map((e) => e.kind)).not.toContain('returned');
      // By timestamp the full pass finds Ada gone; by syncrepl the incremental pass did. Bob changes nothing.
      expect(full.missing).toBe(id === 'timestamp' ? 1 : 0);
      expect(full.events.filter((e) => e.identityId !== ada)).toEqual([]);
      expect(await world.engine.store.identities.get(ada)).toMatchObject({ state: 'terminated', attributes: { employeeNumber: ada, email: mail('ada') } });
      expect(await world.engine.store.identities.get(bob)).toMatchObject({ state: 'active', attributes: { email: mail('bob') } });

      await planAndApply();
      expect(await account(ada)).toEqual({ username: mail('ada'), enabled: false });
      expect(await account(bob)).toEqual({ username: mail('bob'), enabled: true });
      expect(await account(alan)).toEqual({ username: mail('alan'), enabled: true });
    });

    it(`${id}: deleted, then another entry given the key in another case, then a full pass: a joiner, and the person stays gone`, async () => {
      const [carol, dave] = [`${prefix}9`, `${prefix}9`.toLowerCase()];
      await world.admin.add(`uid=carol,${ou(id)}`, inetOrgPerson('carol', carol, { mail: mail('carol') }));
      expect(await world.engine.readSource(id, 'test', { mode: 'full' })).toMatchObject({ created: 1, missing: 0 });
      await planAndApply();
      await nextSecond();
      await world.admin.del(`uid=carol,${ou(id)}`);
      // Syncrepl makes Carol a leaver now; a pass by timestamp cannot see a deletion.
      expect(await world.engine.readSource(id, 'test', { mode: 'incremental' })).toMatchObject({ missing: id === 'syncrepl' ? 1 : 0 });
      await world.admin.add(`uid=dave,${ou(id)}`, inetOrgPerson('dave', dave, { mail: mail('dave') }));

      const full = await world.engine.readSource(id, 'test', { mode: 'full' });
      expect(full).toMatchObject({ created: 1, missing: id === 'timestamp' ? 1 : 0 });
      expect(full.events.filter((e) => e.identityId === carol).map((e) => e.kind)).toEqual(id === 'timestamp' ? ['missing'] : []);
      expect(full.events.filter((e) => e.identityId === dave).map((e) => e.kind)).toEqual(['joiner']);
      expect(respelled(full).filter((d) => d.identity !== grace)).toEqual([expect.objectContaining({ key: dave, storedKeys: [carol] })]);
      expect(await world.engine.store.identities.get(carol)).toMatchObject({ state: 'terminated', attributes: { email: mail('carol') } });
      await planAndApply();
      expect(await account(carol)).toEqual({ username: mail('carol'), enabled: false });
      expect(await account(dave)).toEqual({ username: mail('dave'), enabled: true });
    });
  }

  it('syncrepl: an entry holding the person\'s key in another case (turned down) deleted: the person is not gone', async () => {
    const [erin, frank] = ['S11', 's11'];
    await world.admin.add(`uid=erin,${ou('syncrepl')}`, inetOrgPerson('erin', erin, { mail: 'erin@example.com' }));
    expect(await world.engine.readSource('syncrepl', 'test', { mode: 'incremental' })).toMatchObject({ created: 1 });
    await world.admin.add(`uid=frank,${ou('syncrepl')}`, inetOrgPerson('frank', frank, { mail: 'frank@example.com' }));
    const turnedDown = await world.engine.readSource('syncrepl', 'test', { mode: 'incremental' });
    expect(turnedDown.problems).toEqual([expect.objectContaining({ key: frank })]);
    await world.admin.del(`uid=frank,${ou('syncrepl')}`);
    const deleted = await world.engine.readSource('syncrepl', 'test', { mode: 'incremental' });
    expect(deleted).toMatchObject({ missing: 0, events: [] });
    expect(await world.engine.store.identities.get(erin)).toMatchObject({ state: 'active', attributes: { email: 'erin@example.com' } });
  });
});
