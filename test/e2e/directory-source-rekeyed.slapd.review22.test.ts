import { describe, expect, it } from 'vitest';
import type { IngestResult } from '../../src/engine/types.js';
import { change, inetOrgPerson, nextSecond, useLdapSource } from './directory-source-fixtures.js';

/**
 * An entry whose key changes (employeeNumber P1029 -> P2029 with
 * ldapmodify, same entryUUID) is the same person (lifecycle/rekeyed.ts,
 * keyChanges: follow by default): the identity continues under the new key,
 * its account stays the same account, no joiner, no leaver, whether the
 * change is read by an incremental pass (modifyTimestamp, syncrepl) or a
 * full one. Before review 22 the new key was a joiner with a second account
 * and the old key a leaver. A swap of keys between two entries is held, so
 * two people are never made one.
 */
const ou = (name: string) => `ou=${name},${world.slapd.suffix}`;

const world = useLdapSource({
  prefix: 'roster-dirsrc-rekeyed-',
  slapd: { syncprov: true },
  ous: ['timestamp', 'syncrepl'],
  sources: () => [
    { id: 'timestamp', base: ou('timestamp'), schedule: '*/5 * * * *', maxMissing: '100%', attributes: '{ givenName: givenName, email: mail }' },
    { id: 'syncrepl', base: ou('syncrepl'), schedule: '*/5 * * * *', changes: 'syncrepl', maxMissing: '100%', attributes: '{ givenName: givenName, email: mail }' },
  ],
  app: { attributes: '{ username: identity.email, number: identity.employeeNumber }', lines: ['safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }'] },
});

const rekeyed = (result: IngestResult) => result.events.filter((e) => e.reasons.includes('identity.rekeyed'));

async function planAndApply() {
  const plan = await world.engine.plan({ actor: 'test' });
  expect(plan.held).toBe(false);
  await world.engine.apply(plan, { actor: 'test' });
  return plan;
}

async function account(identityId: string) {
  const links = await world.engine.store.accounts.listByIdentity(identityId);
  expect(links).toHaveLength(1);
  return links[0]!;
}

describe('ldap source: an entry whose key changes is the same person (review 22)', () => {
  for (const [id, prefix] of [['timestamp', 'T'], ['syncrepl', 'S']] as const) {
    const [ada, ada2, ada3, alan, grace] = [`${prefix}1029`, `${prefix}2029`, `${prefix}3029`, `${prefix}2`, `${prefix}8`];
    const mail = (uid: string) => `${uid}-${id}@example.com`;

    it(`${id}: the key changed with ldapmodify: the same identity and account, read by the incremental and the full pass`, async () => {
      for (const [uid, key] of [['ada', ada], ['alan', alan], ['grace', grace]] as const) {
        await world.admin.add(`uid=${uid},${ou(id)}`, inetOrgPerson(uid, key, { mail: mail(uid) }));
      }
      expect(await world.engine.readSource(id, 'test', { mode: 'full' })).toMatchObject({ received: 3, created: 3 });
      await planAndApply();
      const before = await account(ada);

      await nextSecond();
      await world.admin.modify(`uid=ada,${ou(id)}`, change('replace', 'employeeNumber', [ada2]));
      const incremental = await world.engine.readSource(id, 'test', { mode: 'incremental' });
      expect(incremental).toMatchObject({ mode: 'incremental', created: 0, missing: 0 });
      expect(incremental.events.map((e) => `${e.kind} ${e.identityId} ${e.reasons.join(',')}`)).toEqual([`mover ${ada} identity.rekeyed`]);
      expect(rekeyed(incremental)[0]?.changes).toEqual({ key: { before: ada, after: ada2 } });
      expect(await world.engine.store.identities.get(ada2)).toBeUndefined();
      expect(await world.engine.store.identities.get(ada)).toMatchObject({ state: 'active', attributes: { employeeNumber: ada2 } });

      const plan = await planAndApply();
      expect(plan.changes.map((c) => `${c.action} ${c.identity}`)).toEqual([`update ${ada}`]);
      const after = await account(ada);
      expect(after).toMatchObject({ accountId: before.accountId, createdAt: before.createdAt, enabled: true, attributes: { username: mail('ada'), number: ada2 } });

      const full = await world.engine.readSource(id, 'test', { mode: 'full' });
      expect(full).toMatchObject({ received: 3, created: 0, missing: 0, events: [] });
      expect((await planAndApply()).changes).toEqual([]);
    });

    it(`${id}: changed again (a second key change follows the current key)`, async () => {
      await nextSecond();
      await world.admin.modify(`uid=ada,${ou(id)}`, change('replace', 'employeeNumber', [ada3]));
      const incremental = await world.engine.readSource(id, 'test', { mode: 'incremental' });
      expect(rekeyed(incremental).map((e) => e.changes)).toEqual([{ key: { before: ada2, after: ada3 } }]);
      expect(incremental).toMatchObject({ created: 0, missing: 0 });
      expect(await world.engine.readSource(id, 'test', { mode: 'full' })).toMatchObject({ created: 0, missing: 0, events: [] });
      await planAndApply();
      expect((await account(ada)).attributes).toMatchObject({ username: mail('ada'), number: ada3 });
    });

    it(`${id}: two entries swapping their keys are held: nobody merged, created or missing`, async () => {
      await nextSecond();
      await world.admin.modify(`uid=alan,${ou(id)}`, change('replace', 'employeeNumber', [grace]));
      await world.admin.modify(`uid=grace,${ou(id)}`, change('replace', 'employeeNumber', [alan]));
      for (const mode of ['incremental', 'full'] as const) {
        const read = await world.engine.readSource(id, 'test', { mode });
        expect(read).toMatchObject({ created: 0, missing: 0, events: [] });
        expect(read.diagnostics.filter((d) => d.code === 'source.key_moved').length).toBeGreaterThan(0);
      }
      expect(await world.engine.store.identities.get(alan)).toMatchObject({ state: 'active', attributes: { email: mail('alan'), employeeNumber: alan } });
      expect(await world.engine.store.identities.get(grace)).toMatchObject({ state: 'active', attributes: { email: mail('grace'), employeeNumber: grace } });
      expect((await account(alan)).attributes).toMatchObject({ username: mail('alan') });
    });
  }
});
