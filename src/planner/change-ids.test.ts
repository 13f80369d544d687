import { describe, expect, it } from 'vitest';
import { planOf, want } from './plan-fixtures.js';

/**
 * Change ids were `target:identity:action[:entitlement]` joined as given, so an
 * identity key or entitlement holding ':' could spell another change's id. The
 * executor enqueues one job per id (a second job with a queued id is a no-op):
 * one of the two changes would never run. An HR key is outside Roster's control.
 */
describe('change ids', () => {
  it('stay distinct when identity keys and entitlements hold colons', () => {
    const plan = planOf([
      want('a', { entitlements: ['x:grant:y'] }),
      want('a:grant:x', { entitlements: ['y'] }),
      want('b', { entitlements: ['update'] }),
      want('b:grant', { attributes: { username: 'b:grant', email: 'b2@example.com' } }),
    ], []);
    const ids = plan.changes.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(plan.changes.filter((c) => c.action === 'grant')).toHaveLength(3);
  });

  it('are unchanged for keys without a colon or a percent sign', () => {
    const plan = planOf([want('e1', { entitlements: ['cn=eng,ou=groups'] })], []);
    expect(plan.changes.map((c) => c.id).sort()).toEqual(['app:e1:create', 'app:e1:grant:cn=eng,ou=groups']);
  });

  it('escape the percent sign too, so an escaped colon cannot be spelled by hand', () => {
    const plan = planOf([
      want('p', { entitlements: ['q%3Agrant'] }),
      want('p:grant:q', { entitlements: [] }),
    ], []);
    const ids = plan.changes.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
