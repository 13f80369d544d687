import { describe, expect, it } from 'vitest';
import type { Change, Plan } from '../../core/types.js';
import { shownPlan } from './plans.js';

/** GET /api/v1/plans/:id and POST /api/v1/plans show a plan without its sealed secret values; the stored plan keeps them for the executor. */
describe('a plan as the API shows it', () => {
  const create: Change = {
    id: 'app:E1:create', identity: 'E1', target: 'app', action: 'create', reasons: ['joiner'], before: null,
    after: { accountId: 'ada', attributes: { username: 'ada', password: 'sha256:ab12' }, sealed: { password: 'v1.ciphertext' } },
  } as Change;
  const grant: Change = { id: 'app:E1:grant', identity: 'E1', target: 'app', action: 'grant', reasons: ['joiner'], before: null, after: { entitlement: 'staff' } } as Change;
  const plan: Plan = { id: 'p', createdAt: '2026-11-28T00:00:00Z', basis: 1, changes: [create, grant], summary: {}, held: false, holds: [], diagnostics: [] };

  it('drops the sealed values, keeps the fingerprints and everything else, and leaves the plan given untouched', () => {
    const shown = shownPlan(plan);
    expect(JSON.stringify(shown)).not.toContain('v1.ciphertext');
    expect(shown.changes[0]?.after).toEqual({ accountId: 'ada', attributes: { username: 'ada', password: 'sha256:ab12' } });
    expect(shown.changes[1]).toBe(grant);
    expect(plan.changes[0]?.after?.sealed).toEqual({ password: 'v1.ciphertext' });
  });

  it('returns a plan with nothing sealed as it is', () => {
    const plain = { ...plan, changes: [grant] };
    expect(shownPlan(plain)).toBe(plain);
  });
});
