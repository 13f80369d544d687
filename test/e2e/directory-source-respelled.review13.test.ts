import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import type { SyncResult } from '../../src/engine/types.js';
import { inetOrgPerson, useLdapSource } from './directory-source-fixtures.js';

/**
 * A directory compares employeeNumber with caseIgnoreMatch: an entry whose
 * employeeNumber is rewritten from `e7` to `E7` is the same person to it, and
 * must be to Roster too (lifecycle/respelled.ts): no joiner, nobody gone, no
 * account created or disabled, and a `source.key_respelled` warning.
 */
const people = () => `ou=people,${world.slapd.suffix}`;

function person(uid: string, employeeNumber: string) {
  return inetOrgPerson(uid, employeeNumber, { mail: `${uid}@example.com` });
}

const respelled = (sync: SyncResult) => sync.ingests.flatMap((i) => i.diagnostics).filter((d) => d.code === 'source.key_respelled');

const world = useLdapSource({
  prefix: 'roster-dirsrc-respelled-',
  async seed(admin) {
    for (const [uid, key] of [['ada', 'e7'], ['alan', 'E2'], ['grace', 'E3'], ['linus', 'E4']] as const) {
      await admin.add(`uid=${uid},${people()}`, person(uid, key));
    }
  },
  sources: () => [{ id: 'corp', base: people(), attributes: '{ givenName: givenName, familyName: sn, email: mail }' }],
  app: { attributes: '{ username: identity.email, familyName: identity.familyName }', lines: ['safety: { maxDeletes: 100%, maxDisables: 100%, minAccounts: 0 }'] },
});

describe('ldap source: an employeeNumber respelled in letter case between passes (review13)', () => {
  it('first sync: four people, four accounts', async () => {
    const sync = await world.engine.sync({ actor: 'test' });
    expect(sync.ingests[0]).toMatchObject({ received: 4, created: 4 });
    expect(sync.result).toMatchObject({ applied: 4, failed: 0 });
    expect((await world.engine.store.identities.get('e7'))?.attributes.employeeNumber).toBe('e7');
  });

  it('an incremental pass reading E7 takes it as the stored e7 and warns', async () => {
    await world.admin.modify(`uid=ada,${people()}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'employeeNumber', values: ['E7'] }) }));
    const result = await world.engine.readSource('corp', 'test', { mode: 'incremental' });
    expect(result).toMatchObject({ received: 1, created: 0, missing: 0, affected: ['e7'] });
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'source.key_respelled', source: 'corp', key: 'E7', storedKey: 'e7' })]);
    expect(await world.engine.store.identities.get('E7')).toBeUndefined();
  });

  it('a full pass (sync) with E7: the same identity, nobody gone, no account created or disabled, the warning again', async () => {
    const sync = await world.engine.sync({ actor: 'test' });
    expect(sync.ingests[0]).toMatchObject({ received: 4, created: 0, missing: 0 });
    expect(sync.plan.changes.map((c) => `${c.action} ${c.identity}`)).toEqual([]);
    expect(respelled(sync)).toEqual([expect.objectContaining({ severity: 'warning', key: 'E7', storedKey: 'e7' })]);
    expect(respelled(sync)[0]!.message).toMatch(/key "E7" (\(line \d+\) )?is stored as "e7"/);
    expect(await world.engine.store.identities.get('e7')).toMatchObject({ state: 'active', attributes: { employeeNumber: 'E7' } });
    expect((await world.engine.store.identities.list({ sourceId: 'corp' })).map((i) => i.id).sort()).toEqual(['E2', 'E3', 'E4', 'e7']);
    expect((await world.engine.store.accounts.listByIdentity('e7')).map((l) => l.enabled)).toEqual([true]);
  });
});
