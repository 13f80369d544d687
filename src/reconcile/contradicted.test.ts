import { describe, expect, it } from 'vitest';
import type { Identity, TargetAccount } from '../core/types.js';
import { correlate, type MatchRule } from './correlate.js';

/**
 * A departed John Smith's account (his employee id, disabled, still in his
 * groups) whose mail a new John Smith now has: the employee id rule finds
 * nobody (he is no longer in HR), the mail rule finds the new hire. Matched,
 * the new hire would be given the departed man's account. A stronger rule's
 * value that both sides have and that differs contradicts the match: disputed,
 * never acted on.
 */
const identity = (id: string, attributes: Record<string, string>): Identity => ({
  id, sourceId: 'hr', attributes, state: 'active', version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
});
const account = (accountId: string, attributes: Record<string, unknown>, enabled = true): TargetAccount => ({ accountId, attributes, entitlements: [], enabled });
const rules: MatchRule[] = [
  { account: 'employeeID', identity: 'employeeId', normalise: 'exact' },
  { account: 'mail', identity: 'email' },
];
const newHire = identity('E200', { employeeId: 'E200', email: 'john.smith@example.com' });

describe('correlate: a weaker rule contradicted by a stronger one', () => {
  it('disputes an account whose employee id is another person\'s, though its mail names the new hire', () => {
    const { verdicts } = correlate({ identities: [newHire], links: [], rules, accounts: [account('jsmith', { employeeID: 'E100', mail: 'john.smith@example.com' }, false)] });
    expect(verdicts).toEqual([expect.objectContaining({ kind: 'disputed', candidates: ['E200'] })]);
  });

  it('still matches by mail when the account has no employee id, or one that differs only in case', () => {
    const accounts = [account('a1', { mail: 'JOHN.SMITH@example.com' }), account('a2', { employeeID: 'e300', mail: 'ann@example.com' })];
    const ann = identity('E300', { employeeId: 'E300', email: 'ann@example.com' });
    const { verdicts } = correlate({ identities: [newHire, ann], links: [], rules, accounts });
    expect(verdicts.map((v) => [v.kind, v.kind === 'matched' ? v.identityId : undefined])).toEqual([['matched', 'E200'], ['matched', 'E300']]);
  });

  it('does not dispute when the person has no employee id to compare', () => {
    const noId = identity('X1', { email: 'x@example.com' });
    const { verdicts } = correlate({ identities: [noId], links: [], rules, accounts: [account('x', { employeeID: 'E9', mail: 'x@example.com' })] });
    expect(verdicts).toEqual([expect.objectContaining({ kind: 'matched', identityId: 'X1' })]);
  });
});
