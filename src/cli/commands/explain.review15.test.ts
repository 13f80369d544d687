import { describe, expect, it } from 'vitest';
import type { DesiredAccount, Identity, LinkedAccount } from '../../core/types.js';
import type { Explain } from '../../engine/types.js';
import { ENTITLEMENTS_AT_START, NOT_GRANTED, ROLE_REMOVED } from '../../policy/reasons.js';
import type { CliContext } from '../context.js';
import { explainText } from './explain.js';

/** Review 15: `roster explain` speaks the revoke reasons the plan does, and says why a pre-hire has no groups yet. */
const plainText = (s: string) => s;
const ctx = { style: { bold: plainText, dim: plainText, green: plainText, red: plainText } } as unknown as CliContext;
const AT = '2026-03-10T00:00:00.000Z';
const identity: Identity = { id: 'e1', sourceId: 'hr', attributes: {}, state: 'active', version: 1, createdAt: AT, updatedAt: AT };
const desired = (overrides: Partial<DesiredAccount> = {}): DesiredAccount => ({
  target: 'app', identityId: 'e1', present: true, enabled: true, attributes: {}, entitlements: [], reasons: ['active'], explanations: [], ...overrides,
});
const linked = (overrides: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app', identityId: 'e1', accountId: 'e1', attributes: {}, entitlements: [], enabled: true, createdAt: AT, updatedAt: AT, ...overrides,
});
const text = (d: DesiredAccount, l?: LinkedAccount): string => explainText({
  identity, effectiveState: identity.state, timeline: [], audit: [], accounts: [{ target: 'app', desired: d, ...(l === undefined ? {} : { linked: l }) }],
} satisfies Explain, ctx);

describe('roster explain: revoke reasons and a pre-hire without entitlements (review 15)', () => {
  it('names entitlement.not_granted for a membership Roster never granted, role.removed for one it did', () => {
    const out = text(desired(), linked({ entitlements: ['eng', 'vpn'], notGranted: ['vpn'] }));
    expect(out).toMatch(/- eng {2}← no rule gives it: it will be revoked \(role\.removed\)/);
    expect(out).toContain(`- vpn  ← no rule gives it: it will be revoked; not granted by any role (added in the target, not by Roster), Roster manages this group (${NOT_GRANTED})`);
    expect(ROLE_REMOVED).toBe('role.removed');
  });

  it('says a pre-hire has no entitlements until the start day', () => {
    const prehire = desired({ enabled: false, reasons: ['joiner.prehire', ENTITLEMENTS_AT_START] });
    expect(text(prehire, linked({ enabled: false }))).toContain(
      `no entitlements until the start day (lifecycle.prehireEntitlements: false): the roles' grants come with the enable (${ENTITLEMENTS_AT_START})`);
    expect(text(desired(), linked())).not.toContain('until the start day');
  });
});
