import { describe, expect, it } from 'vitest';
import type { Change, Identity, IdentityKey, LinkedAccount } from '../core/types.js';
import type { ReportsQuery } from '../store/identity-reports.js';
import { account, identity } from '../store/testing/builders.js';
import { outsideReports } from './outside-reports.js';

const create = (target: string, id: string): Change => ({ id: `${target}:${id}`, action: 'create', target, identity: id, reasons: ['joiner'], after: { attributes: {} } }) as unknown as Change;
const person = (id: string, managerId: string | undefined, sourceId = 'hr'): Identity => identity(id, { sourceId, attributes: managerId === undefined ? {} : { managerId } });

/** A store holding `people`, `links` and `keys`, answering as the real one does (its conformance suite: identity-reports). */
function storeOf(people: readonly Identity[], links: readonly LinkedAccount[], keys: readonly IdentityKey[] = []) {
  const asked: ReportsQuery[] = [];
  return {
    asked,
    identities: {
      listKeys: async (options: { identityIds: readonly string[] }) => keys.filter((k) => options.identityIds.includes(k.identityId)),
      listReports: async (query: ReportsQuery) => {
        asked.push(query);
        return people.flatMap((p) => {
          const manager = p.attributes[query.fields.get(p.sourceId) ?? ''];
          return typeof manager === 'string' && query.managers.includes(manager) ? [{ id: p.id, sourceId: p.sourceId, manager }] : [];
        });
      },
    },
    accounts: {
      listByIdentity: async (id: string) => links.filter((l) => l.identityId === id),
      listAll: async () => [...links],
    },
  } as never;
}
const sources: { id: string; fields: { manager?: string } }[] = [{ id: 'hr', fields: { manager: 'managerId' } }, { id: 'badges', fields: {} }];
const targets = new Map([['ldap', new Set(['manager'])], ['app', new Set(['manager'])]]);

describe('outsideReports: reports of a manager a subset plan creates, planned before him (review19)', () => {
  it('names each linked report outside the plan, per target the manager gets an account in', async () => {
    const people = [person('R1', 'M1'), person('R2', 'M1'), person('R3', 'M1'), person('R4', 'M2'), person('R5', 'M0')];
    const links = [account('ldap', 'R1'), account('app', 'R1'), account('ldap', 'R2'), account('ldap', 'R4'), account('ldap', 'R5'), account('ldap', 'M1')];
    const keys: IdentityKey[] = [{ key: 'M0', identityId: 'M1', sourceId: 'hr', current: false, recordedAt: '2026-01-01T00:00:00.000Z' }];
    const store = storeOf(people, links, keys);
    // M1's account is created in ldap only; R2 is in the plan itself; R3 has no account; R4's manager is someone else; R5 names M1's former key.
    const waiting = await outsideReports(store, [create('ldap', 'M1'), create('ldap', 'R2')], targets, new Set(['M1', 'R2']), sources);
    expect(Object.fromEntries(waiting)).toEqual({ ldap: ['R1', 'R5'] });
    expect((store as { asked: ReportsQuery[] }).asked).toEqual([{ managers: ['M1', 'R2', 'M0'], fields: new Map([['hr', 'managerId']]) }]);
  });

  it('asks the store nothing when no create is planned in a target reading managerAccount, or no source names managers', async () => {
    const store = storeOf([person('R1', 'M1')], [account('ldap', 'R1')]);
    expect((await outsideReports(store, [create('other', 'M1')], targets, new Set(['M1']), sources)).size).toBe(0);
    expect((await outsideReports(store, [{ ...create('ldap', 'M1'), action: 'update' }], targets, new Set(['M1']), sources)).size).toBe(0);
    expect((await outsideReports(store, [create('ldap', 'M1')], targets, new Set(['M1']), [{ id: 'hr', fields: {} }])).size).toBe(0);
    expect((store as { asked: ReportsQuery[] }).asked).toEqual([]);
    expect(Object.fromEntries(await outsideReports(store, [create('ldap', 'M1'), create('app', 'M1')], targets, new Set(['M1']), sources))).toEqual({ ldap: ['R1'] });
  });
});
