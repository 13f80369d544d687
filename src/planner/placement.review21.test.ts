import { describe, expect, it } from 'vitest';
import type { LinkedAccount } from '../core/types.js';
import { testTarget } from '../policy/test-config.js';
import { planOf as planWith, want } from './plan-fixtures.js';

// A target that enforces placement (connection.users.placement: enforce); the plain test target keeps.
const enforcing = [testTarget({ connection: { users: { placement: 'enforce' } } })];
const planOf = (desired: Parameters<typeof planWith>[0], links: Parameters<typeof planWith>[1]) => planWith(desired, links, { targets: enforcing });

const link = (over: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app', identityId: 'ann', accountId: 'u-1', attributes: { username: 'ann', email: 'ann@example.com' },
  entitlements: [], enabled: true, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...over,
});
const placement = { at: 'uid=ann,ou=Elsewhere,dc=x', belongs: 'uid=ann,ou=people,dc=x' };

describe('review21: placement drift in the plan', () => {
  it('a link in place plans nothing; a misplaced one an update saying where it is and where it goes', () => {
    expect(planOf([want('ann')], [link()]).changes).toEqual([]);
    const [change, ...rest] = planOf([want('ann')], [link({ placement })]).changes;
    expect(rest).toEqual([]);
    expect(change).toMatchObject({
      action: 'update', reasons: ['active', 'placement.drift'],
      before: { accountId: 'u-1', attributes: {}, placement: placement.at }, after: { accountId: 'u-1', attributes: {}, placement: placement.belongs },
    });
  });

  it('with an attribute update, that update carries the move (its new values decide where it goes)', () => {
    const changes = planOf([want('ann', { attributes: { username: 'ann', email: 'ann.lee@example.com' } })], [link({ placement })]).changes;
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ action: 'update', reasons: ['active', 'mapping.changed', 'placement.drift'], before: { placement: placement.at } });
    expect(changes[0]?.after?.placement).toBeUndefined();
  });

  it('byState: the enable or disable puts it in place, no move of its own first', () => {
    const moved = { ...placement, byState: true as const };
    const disable = planOf([want('ann', { enabled: false, reasons: ['leaver.terminated'] })], [link({ placement: moved })]).changes;
    expect(disable.map((c) => c.action)).toEqual(['disable']);
    const enable = planOf([want('ann')], [link({ enabled: false, placement: moved })]).changes;
    expect(enable.map((c) => c.action)).toEqual(['enable']);
    // Same state: the move is the update's.
    expect(planOf([want('ann')], [link({ placement: moved })]).changes.map((c) => c.action)).toEqual(['update']);
  });

  it('a target that no longer enforces placement (switched to keep) does not act on a record an earlier pass left', () => {
    for (const connection of [{}, { users: { placement: 'keep' } }, { users: {} }]) {
      const targets = [testTarget({ connection })];
      expect(planWith([want('ann')], [link({ placement })], { targets }).changes).toEqual([]);
      const changes = planWith([want('ann', { attributes: { username: 'ann', email: 'ann.lee@example.com' } })], [link({ placement })], { targets }).changes;
      expect(changes.map((c) => [c.action, c.reasons, c.before?.placement])).toEqual([['update', ['active', 'mapping.changed'], undefined]]);
    }
  });
});
