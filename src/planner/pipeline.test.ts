import { describe, expect, it } from 'vitest';
import type { DesiredAccount, Identity, LinkedAccount } from '../core/types.js';
import { merge } from '../lifecycle/merge-fixtures.js';
import { compilePolicy, UniqueIndex } from '../policy/index.js';
import { NOW, person, testConfig } from '../policy/test-config.js';
import { applyPlan, planOf } from './plan-fixtures.js';

const config = testConfig();
const policy = compilePolicy(config);

function desiredAll(identities: readonly Identity[], links: readonly LinkedAccount[], now: Date): DesiredAccount[] {
  const unique = UniqueIndex.fromAccounts(links, config);
  const sorted = [...identities].sort((a, b) => (a.id < b.id ? -1 : 1));
  return sorted.flatMap((identity) => policy.desired(identity, {
    now, unique, linked: new Map(links.filter((l) => l.identityId === identity.id).map((l) => [l.target, l])),
  }));
}

describe('lifecycle + policy + planner', () => {
  it('joiners, a rename and a mover: every plan applied leaves nothing to do', () => {
    const hr = [person('e1'), person('e2'), person('e3', { givenName: 'Omar', familyName: 'Ali', department: 'Sales' })];
    const identities = [...merge(hr).upserts];
    const first = planOf(desiredAll(identities, [], NOW));
    expect(first.changes.filter((c) => c.action === 'create').map((c) => c.after?.accountId)).toEqual(['jane.doe', 'jdoe', 'omar.ali']);
    let links = applyPlan([], first);
    expect(planOf(desiredAll(identities, links, NOW), links).changes).toEqual([]);

    const later = new Date('2026-03-12T00:00:00.000Z');
    const moved = merge([person('e1', { familyName: 'Smith', department: 'Sales' })], { existing: identities, now: later });
    const now = [moved.upserts[0]!, identities[1]!, identities[2]!];
    const second = planOf(desiredAll(now, links, later), links);
    expect(second.changes.map((c) => c.id)).toEqual(['app:e1:update', 'app:e1:grant:crm', 'app:e1:revoke:engineers', 'app:e1:revoke:git']);
    expect(second.changes[0]?.after?.attributes).toEqual({ department: 'Sales' });
    links = applyPlan(links, second);
    expect(planOf(desiredAll(now, links, later), links).changes).toEqual([]);
  });
});
