import { describe, expect, it } from 'vitest';
import type { TargetAccount } from '../core/types.js';
import type { Verdict } from './correlate.js';
import { memoAfterLink, memoOf } from './memo.js';

const AT = '2026-11-28T09:00:00.000Z';
const orphan = (accountId: string, attributes: Record<string, string>): Verdict => ({ kind: 'orphan', account: { accountId, attributes, entitlements: [], enabled: true } });

/**
 * Review 13: an AD account's userPrincipalName is unique in the domain, and a
 * new account's is `<sAMAccountName>@<suffix>`: an unlinked account whose UPN
 * local part differs from its sAMAccountName holds that name too, or a joiner
 * given it is refused by AD on every create.
 */
describe('reconcile memo: names an unlinked AD account holds through its userPrincipalName', () => {
  it('holds the UPN local part as a sAMAccountName, once per account, and frees it when the account is linked', () => {
    const verdicts = [
      orphan('g1', { sAMAccountName: 'at.legacy', userPrincipalName: 'alan.turing@example.test' }),
      orphan('g2', { sAMAccountName: 'John.Smith', userPrincipalName: 'john.smith@example.test' }),
      orphan('g3', { uid: 'x', userPrincipalName: 'y@example.test' }),
    ];
    const memo = memoOf(verdicts, ['sAMAccountName'], new Set(), AT);
    // John.Smith's UPN is its own name in another case: held once. An account read without a sAMAccountName still holds its UPN's.
    expect(memo.held).toEqual({ sAMAccountName: ['at.legacy', 'alan.turing', 'John.Smith', 'y'] });
    const account: TargetAccount = verdicts[0]!.account;
    expect(memoAfterLink(memo, account, 'E5', ['sAMAccountName']).held).toEqual({ sAMAccountName: ['John.Smith', 'y'] });
    // Only sAMAccountName derives from it: another unique attribute is held as read.
    expect(memoOf(verdicts, ['uid'], new Set(), AT).held).toEqual({ uid: ['x'] });
  });
});
