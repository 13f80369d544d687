import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../core/types.js';
import { accountOrigin } from './account-origin.js';

const entry = (seq: number, kind: string, data: Record<string, unknown>, reasons: string[] = []): AuditEntry => ({
  seq, at: `2026-01-0${seq}T00:00:00.000Z`, kind, actor: 'roster', identity: 'E1', target: 'app', reasons, data, prevHash: '', hash: '',
});

/**
 * Review 14: a create that found its person already linked (an earlier
 * plan's create ran first, or reconcile adopted the account while the
 * create waited) is audited as an applied create with `linked: true`; it
 * made no account, so `roster explain` must not say Roster made it then.
 */
describe('account origin after a create brought a linked account in line (review 14)', () => {
  it('keeps the create that made the account', () => {
    const audit = [entry(1, 'change.applied', { action: 'create', planId: 'p1', accountId: 'u1' }), entry(2, 'change.applied', { action: 'create', planId: 'p2', accountId: 'u1', linked: true })];
    expect(accountOrigin(audit, 'app', 'u1')).toBe('created by Roster on 2026-01-01T00:00:00.000Z (plan p1)');
  });

  it('keeps the adoption by reconcile', () => {
    const audit = [entry(1, 'account.linked', { accountId: 'u1', rule: 'uid = identity.username' }), entry(2, 'change.applied', { action: 'create', planId: 'p2', accountId: 'u1', linked: true })];
    expect(accountOrigin(audit, 'app', 'u1')).toBe('not created by Roster: adopted by reconcile on 2026-01-01T00:00:00.000Z, matched by uid = identity.username');
  });
});
