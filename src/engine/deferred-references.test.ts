import { describe, expect, it } from 'vitest';
import type { Change, Identity, LinkedAccount } from '../core/types.js';
import { LinkIndex } from '../planner/index.js';
import { deferredIn, deferredReferences, REFERENCE_DEFERRED } from './deferred-references.js';

const person = (id: string, manager?: string): Identity => ({
  id, sourceId: 'hr', attributes: { employeeId: id, ...(manager === undefined ? {} : { managerId: manager }) }, status: 'active',
} as unknown as Identity);
const create = (identity: string, target = 'app'): Change => ({ id: `${target}:${identity}:create`, identity, target, action: 'create', before: null, after: { attributes: {} }, reasons: [] });
const update = (identity: string, target = 'app'): Change => ({ ...create(identity, target), id: `${target}:${identity}:update`, action: 'update' });
const link = (identity: string, target = 'app'): LinkedAccount => ({
  target, identityId: identity, accountId: `${identity}-id`, attributes: {}, entitlements: [], enabled: true, createdAt: '', updatedAt: '',
});

describe('deferredReferences', () => {
  const people = [person('E1'), person('E2', 'E1'), person('E3', 'E1'), person('E4', 'E4'), person('E5', 'E9')];
  const byId = new Map(people.map((p) => [p.id, p]));
  const managerOf = (i: Identity) => byId.get(String(i.attributes.managerId ?? ''));

  it('names, per target that reads managerAccount, the people with an account there whose manager is only now created', () => {
    const links = new LinkIndex([link('E3')]);
    const changes = [create('E1'), create('E2'), create('E4'), create('E1', 'other'), create('E2', 'other'), create('E1', 'plain'), create('E2', 'plain')];
    const found = deferredReferences(changes, new Set(['app', 'other']), people, managerOf, links, links);
    // E3 already has an account in app (linked); E4 is their own manager, whose account only this plan makes; E5's manager is
    // unknown; `plain` does not read managerAccount.
    expect(found).toEqual([
      expect.objectContaining({ severity: 'info', code: REFERENCE_DEFERRED, target: 'app', identities: ['E2', 'E3', 'E4'] }),
      expect.objectContaining({ target: 'other', identities: ['E2'] }),
    ]);
    expect(found[1]?.message).toContain("E2's manager reference waits");
    expect(deferredIn({ diagnostics: found })).toEqual(new Map([['app', new Set(['E2', 'E3', 'E4'])], ['other', new Set(['E2'])]]));
  });

  it('nothing when the manager already has an account, is not created by the plan, or the report has none there', () => {
    const linked = new LinkIndex([link('E1')]);
    expect(deferredReferences([create('E1'), create('E2')], new Set(['app']), people, managerOf, new LinkIndex([]), linked)).toEqual([]);
    expect(deferredReferences([update('E1'), create('E2')], new Set(['app']), people, managerOf, new LinkIndex([]), undefined)).toEqual([]);
    expect(deferredReferences([create('E1')], new Set(['app']), people, managerOf, new LinkIndex([]), undefined)).toEqual([]);
    expect(deferredReferences([create('E1'), create('E2')], new Set(), people, managerOf, new LinkIndex([]), undefined)).toEqual([]);
  });
});
