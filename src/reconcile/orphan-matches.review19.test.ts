import { describe, expect, it } from 'vitest';
import type { Identity, TargetAccount } from '../core/types.js';
import type { MatchRule, Verdict } from './correlate.js';
import { memoAfterLink, memoOf, ReconcileMemos, type ReconcileMemo } from './memo.js';

const rules: MatchRule[] = [{ account: 'employeeNumber', identity: 'employeeId', normalise: 'exact' }, { account: 'email', identity: 'email' }];
const account = (accountId: string, attributes: Record<string, unknown>): TargetAccount => ({ accountId, attributes, entitlements: [], enabled: true });
const identity = (id: string, attributes: Record<string, unknown>): Identity =>
  ({ id, sourceId: 'hr', attributes: { employeeId: id, ...attributes }, state: 'active', version: 1, createdAt: AT, updatedAt: AT }) as Identity;
const AT = '2026-11-27T09:00:00.000Z';

/** A pass's orphans are remembered under its match rules: someone who appears later and matches one gets no create until a pass links it. */
describe('orphans a later person matches', () => {
  const verdicts: Verdict[] = [
    { kind: 'linked', account: account('g1', { uid: 'ada', employeeNumber: 'E1' }), identityId: 'E1' },
    { kind: 'orphan', account: account('g2', { uid: 'jsmith', employeeNumber: 'E9', email: ' J.Smith@Example.com ' }) },
    { kind: 'orphan', account: account('g3', { uid: 'shared', email: ['desk@example.com', 'help@example.com'] }) },
    { kind: 'disputed', account: account('g4', { uid: 'team', email: 'team@example.com' }), candidates: ['E3', 'E4'], rule: rules[1]! },
  ];
  const memos = (memo: ReconcileMemo): ReconcileMemos => new ReconcileMemos(new Map([['corp-ldap', memo]]));

  it('finds an orphan by the first rule under which one matches, normalised as the rule says', () => {
    const memo = memos(memoOf(verdicts, ['uid'], new Set(['E1']), AT, rules));
    expect(memo.orphaned('corp-ldap', identity('E9', { email: 'john.smith@example.com' }))).toEqual({ rule: 'employeeNumber = identity.employeeId', value: 'E9' });
    // By mail, in another case and with spaces, the other rule's normalisation.
    expect(memo.orphaned('corp-ldap', identity('E7', { email: 'j.smith@example.COM' }))).toEqual({ rule: 'email = identity.email', value: 'j.smith@example.com' });
    // Any value of a multi-valued attribute.
    expect(memo.orphaned('corp-ldap', identity('E8', { email: 'help@example.com' }))?.value).toBe('help@example.com');
    // Exact rule: another case is not the same id. Linked and disputed accounts are not orphans.
    expect(memo.orphaned('corp-ldap', identity('e9', { email: 'x@example.com' }))).toBeUndefined();
    expect(memo.orphaned('corp-ldap', identity('E1', { email: 'x@example.com' }))).toBeUndefined();
    expect(memo.orphaned('corp-ldap', identity('E5', { email: 'team@example.com' }))).toBeUndefined();
    expect(memo.orphaned('other', identity('E9', {}))).toBeUndefined();
  });

  it('kept as one string per rule; a link by an admin keeps it (the next pass rebuilds it); a memo without it (an older version) matches nobody', () => {
    const memo = memoOf(verdicts, ['uid'], new Set(['E1']), AT, rules);
    expect(memo.orphans?.values).toEqual(['E9', 'desk@example.com\nhelp@example.com\nj.smith@example.com']);
    const after = memoAfterLink(memo, verdicts[1]!.account, 'E2', ['uid']);
    expect(memos(after).orphaned('corp-ldap', identity('E9', {}))?.value).toBe('E9');
    const { orphans: _dropped, ...older } = memo;
    expect(memos(older).orphaned('corp-ldap', identity('E9', {}))).toBeUndefined();
    expect(memos({ ...memo, orphans: { rules: 'x' } as never }).orphaned('corp-ldap', identity('E9', {}))).toBeUndefined();
    expect(memoOf(verdicts, ['uid'], new Set(['E1']), AT).orphans).toBeUndefined();
  });
});
