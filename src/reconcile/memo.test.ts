import { describe, expect, it } from 'vitest';
import type { TargetAccount } from '../core/types.js';
import type { MatchRule, Verdict } from './correlate.js';
import { memoAfterLink, memoOf, ReconcileMemos, type ReconcileMemo } from './memo.js';

const rule: MatchRule = { account: 'employeeID', identity: 'employeeId' };
const account = (accountId: string, sam: string): TargetAccount => ({ accountId, attributes: { sAMAccountName: sam, mail: `${sam}@example.com` }, entitlements: [], enabled: true });
const AT = '2026-11-27T09:00:00.000Z';

describe('reconcile memo', () => {
  const verdicts: Verdict[] = [
    { kind: 'linked', account: account('g1', 'ada'), identityId: 'E1' },
    { kind: 'orphan', account: account('g2', 'john.smith') },
    { kind: 'disputed', account: account('g3', 'kjohnson'), candidates: ['E6'], rule },
    { kind: 'disputed', account: account('g4', 'katherine.j'), candidates: ['E6'], rule },
    { kind: 'disputed', account: account('g5', 'team.mailbox'), candidates: ['E3', 'E4'], rule },
    // E1 is linked: this second account of hers holds a name, but she needs no create held.
    { kind: 'disputed', account: account('g6', 'ada2'), candidates: ['E1'], rule },
  ];

  it('holds the unique values of unlinked accounts, and disputes of accounts that name one unlinked person alone', () => {
    const memo = memoOf(verdicts, ['sAMAccountName'], new Set(['E1']), AT);
    expect(memo.held).toEqual({ sAMAccountName: ['john.smith', 'kjohnson', 'katherine.j', 'team.mailbox', 'ada2'] });
    expect(memo.disputes).toEqual({ E6: ['g3', 'g4'] });
    expect(memo.at).toBe(AT);
  });

  it('a link settles the dispute it was part of and frees no name but its own', () => {
    const memo = memoOf(verdicts, ['sAMAccountName'], new Set(['E1']), AT);
    const after = memoAfterLink(memo, account('g3', 'kjohnson'), 'E6', ['sAMAccountName']);
    expect(after.disputes).toEqual({});
    expect(after.held.sAMAccountName).toEqual(['john.smith', 'katherine.j', 'team.mailbox', 'ada2']);
    // Linking one of E6's accounts to someone else leaves E6 with the other one still disputed.
    const other = memoAfterLink(memo, account('g4', 'katherine.j'), 'E9', ['sAMAccountName']);
    expect(other.disputes).toEqual({ E6: ['g3'] });
  });

  it('reads one state key per target and answers per target and identity', async () => {
    const memo: ReconcileMemo = { at: AT, disputes: { E6: ['g3'] }, held: { sAMAccountName: ['john.smith'] } };
    const keys: string[] = [];
    const memos = await ReconcileMemos.read({
      get: async <T>(key: string) => { keys.push(key); return (key === 'reconcile:ad' ? memo : undefined) as T | undefined; },
    }, ['ad', 'app']);
    expect(keys).toEqual(['reconcile:ad', 'reconcile:app']);
    expect(memos.disputed('ad', 'E6')).toEqual(['g3']);
    expect(memos.disputed('ad', 'E1')).toBeUndefined();
    expect(memos.disputed('app', 'E6')).toBeUndefined();
    expect(memos.held()).toEqual(new Map([['ad', { sAMAccountName: ['john.smith'] }]]));
  });
});
