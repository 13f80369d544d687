import { describe, expect, it } from 'vitest';
import type { Identity, TargetAccount } from '../core/types.js';
import { correlate, type MatchRule } from './correlate.js';

const identity = (id: string, attributes: Record<string, string>): Identity => ({
  id, sourceId: 'hr', attributes, state: 'active', version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
});
const account = (accountId: string, attributes: Record<string, unknown>): TargetAccount => ({ accountId, attributes, entitlements: [], enabled: true });

/**
 * A directory holds employee numbers as `00123`; the HR export went through
 * a spreadsheet and says `123`. No rule could match them: every such entry
 * was an orphan and its person got a second account. `normalise: numeric`.
 */
describe('match rules: numeric normalisation', () => {
  const numeric: MatchRule = { account: 'employeeNumber', identity: 'employeeId', normalise: 'numeric' };
  const mail: MatchRule = { account: 'mail', identity: 'email' };
  const people = [identity('123', { employeeId: '123', email: 'ada@example.com' }), identity('E7', { employeeId: 'E7', email: 'e7@example.com' })];

  it('matches digits without their leading zeros, and anything else as caseInsensitive', () => {
    const { verdicts } = correlate({
      identities: [...people, identity('0', { employeeId: '0' })], links: [], rules: [numeric],
      accounts: [account('a', { employeeNumber: ' 00123 ' }), account('b', { employeeNumber: 'e7' }), account('c', { employeeNumber: 'E007' }), account('d', { employeeNumber: '000' })],
    });
    expect(verdicts.map((v) => [v.account.accountId, v.kind, 'identityId' in v ? v.identityId : undefined])).toEqual([
      ['a', 'matched', '123'], ['b', 'matched', 'E7'], ['c', 'orphan', undefined], ['d', 'matched', '0'],
    ]);
  });

  it('a numeric rule before a weaker one does not contradict a match by the weaker one over leading zeros', () => {
    const { verdicts } = correlate({
      identities: [identity('E1', { employeeId: '0042', email: 'ada@example.com' })], links: [], rules: [{ ...numeric, account: 'employeeID' }, mail],
      accounts: [account('a', { employeeID: '42', mail: 'ada@example.com' })],
    });
    expect(verdicts[0]).toMatchObject({ kind: 'matched', identityId: 'E1' });
    // The default rule keeps them apart, as before: another id, so a dispute.
    const strict = correlate({
      identities: [identity('E1', { employeeId: '0042', email: 'ada@example.com' })], links: [], rules: [{ account: 'employeeID', identity: 'employeeId' }, mail],
      accounts: [account('a', { employeeID: '42', mail: 'ada@example.com' })],
    });
    expect(strict.verdicts[0]).toMatchObject({ kind: 'disputed' });
  });
});
