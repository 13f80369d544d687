/** Test helpers for planner tests: desired accounts, a plan input and a fake executor. */
import type { TargetConfig } from '../config/types.js';
import type { DesiredAccount, LinkedAccount, Plan } from '../core/types.js';
import { NOW, testTarget } from '../policy/test-config.js';
import { plan, type PlanInput } from './plan.js';

export const want = (identityId: string, overrides: Partial<DesiredAccount> = {}): DesiredAccount => ({
  target: 'app', identityId, present: true, enabled: true,
  attributes: { username: identityId, email: `${identityId}@example.com` },
  entitlements: [], reasons: ['active'], explanations: [],
  ...overrides,
});

export const key = (target: string, identityId: string): string => `${target}\u0000${identityId}`;

export function planOf(
  desired: readonly DesiredAccount[], links: readonly LinkedAccount[] = [],
  options: { targets?: readonly TargetConfig[]; totals?: ReadonlyMap<string, number>; holds?: PlanInput['holds'] } = {},
): Plan {
  const totals = options.totals ?? new Map<string, number>();
  return plan({
    id: 'p1', now: NOW, basis: 7, desired,
    linked: new Map(links.map((l) => [key(l.target, l.identityId), l])),
    targets: options.targets ?? [testTarget()],
    totals,
    ...(options.holds === undefined ? {} : { holds: options.holds }),
  });
}

/** What a perfect executor would leave behind after applying the plan. */
export function applyPlan(links: readonly LinkedAccount[], applied: Plan): LinkedAccount[] {
  const byKey = new Map(links.map((l) => [key(l.target, l.identityId), l]));
  const at = NOW.toISOString();
  for (const c of applied.changes) {
    const k = key(c.target, c.identity);
    const link = byKey.get(k);
    switch (c.action) {
      case 'create':
        byKey.set(k, {
          target: c.target, identityId: c.identity, accountId: c.after?.accountId ?? c.identity,
          attributes: c.after?.attributes ?? {}, entitlements: [], enabled: c.after?.enabled ?? true, createdAt: at, updatedAt: at,
        });
        break;
      case 'update':
        if (link) byKey.set(k, { ...link, attributes: { ...link.attributes, ...c.after?.attributes } });
        break;
      case 'enable':
      case 'disable':
        if (link) byKey.set(k, { ...link, enabled: c.action === 'enable', ...(c.action === 'disable' ? { disabledAt: at } : {}) });
        break;
      case 'grant':
        if (link) byKey.set(k, { ...link, entitlements: [...link.entitlements, c.after?.entitlement ?? ''] });
        break;
      case 'revoke':
        if (link) byKey.set(k, { ...link, entitlements: link.entitlements.filter((e) => e !== c.before?.entitlement) });
        break;
      case 'delete':
        byKey.delete(k);
        break;
    }
  }
  return [...byKey.values()];
}
