import { describe, expect, it } from 'vitest';
import type { Identity, LinkedAccount, TargetAccount } from '../core/types.js';
import { correlate, unreadRules, type MatchRule } from './correlate.js';

const identity = (id: string, attributes: Record<string, string>): Identity => ({
  id, sourceId: 'hr', attributes, state: 'active', version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
});
const account = (accountId: string, attributes: Record<string, unknown>): TargetAccount => ({ accountId, attributes, entitlements: [], enabled: true });
const link = (identityId: string, accountId: string): LinkedAccount => ({
  target: 'ad', identityId, accountId, attributes: {}, entitlements: [], enabled: true, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
});

const rules: MatchRule[] = [
  { account: 'employeeID', identity: 'employeeId', normalise: 'exact' },
  { account: 'mail', identity: 'email' },
];

describe('correlate', () => {
  const people = [
    identity('E1', { employeeId: 'E1', email: 'ada@example.com' }),
    identity('E2', { employeeId: 'E2', email: 'Grace@Example.com' }),
    identity('E3', { employeeId: 'E3', email: 'shared@example.com' }),
    identity('E4', { employeeId: 'E4', email: 'shared@example.com' }),
  ];

  it('links by the first rule that finds a candidate, normalising case and space', () => {
    const result = correlate({
      identities: people, links: [], rules,
      accounts: [account('g1', { employeeID: 'E1' }), account('g2', { mail: ' grace@example.COM ' })],
    });
    expect(result.verdicts.map((v) => [v.kind, 'identityId' in v ? v.identityId : undefined])).toEqual([['matched', 'E1'], ['matched', 'E2']]);
  });

  it('reports accounts nobody matches as orphans and several candidates as disputed', () => {
    const result = correlate({
      identities: people, links: [], rules,
      accounts: [account('g1', { mail: 'nobody@example.com' }), account('g2', { mail: 'shared@example.com' })],
    });
    expect(result.verdicts[0]).toMatchObject({ kind: 'orphan' });
    expect(result.verdicts[1]).toMatchObject({ kind: 'disputed', candidates: ['E3', 'E4'] });
  });

  it('never gives one identity two accounts: both claimants are disputed', () => {
    const result = correlate({
      identities: people, links: [], rules,
      accounts: [account('g1', { employeeID: 'E1' }), account('g2', { mail: 'ada@example.com' })],
    });
    expect(result.verdicts.map((v) => v.kind)).toEqual(['disputed', 'disputed']);
  });

  it('keeps existing links and finds vanished accounts; a person whose link vanished can be matched again', () => {
    const result = correlate({
      identities: people, rules,
      links: [link('E1', 'g1'), link('E2', 'gone')],
      accounts: [account('g1', {}), account('g9', { employeeID: 'E2' })],
    });
    expect(result.verdicts[0]).toMatchObject({ kind: 'linked', identityId: 'E1' });
    expect(result.verdicts[1]).toMatchObject({ kind: 'matched', identityId: 'E2' });
    expect(result.vanished.map((l) => l.accountId)).toEqual(['gone']);
  });

  it('an account that matches someone who already has an account here is disputed, never an orphan', () => {
    const result = correlate({
      identities: people, rules,
      links: [link('E1', 'g1')],
      accounts: [account('g1', { employeeID: 'E1' }), account('g2', { employeeID: 'E1' })],
    });
    expect(result.verdicts[1]).toMatchObject({ kind: 'disputed', candidates: ['E1'], rule: rules[0] });
  });

  it('a shared mailbox stays disputed after its claimants got accounts of their own (and when only one did)', () => {
    const shared = account('g-mailbox', { mail: 'shared@example.com' });
    const both = correlate({
      identities: people, rules, links: [link('E3', 'g-e3'), link('E4', 'g-e4')],
      accounts: [shared, account('g-e3', { mail: 'e3@example.com' }), account('g-e4', { mail: 'e4@example.com' })],
    });
    expect(both.verdicts[0]).toMatchObject({ kind: 'disputed', candidates: ['E3', 'E4'] });
    const one = correlate({ identities: people, rules, links: [link('E3', 'g-e3')], accounts: [shared, account('g-e3', {})] });
    expect(one.verdicts[0]).toMatchObject({ kind: 'disputed', candidates: ['E3', 'E4'] });
  });

  it('compares exactly when told to, and ignores empty values', () => {
    const result = correlate({
      identities: people, links: [], rules,
      accounts: [account('g1', { employeeID: 'e1' }), account('g2', { employeeID: '  ', mail: '' })],
    });
    expect(result.verdicts.map((v) => v.kind)).toEqual(['orphan', 'orphan']);
  });

  it('matches a multi-valued attribute by any of its values (mail aliases); values naming two people are a dispute', () => {
    const result = correlate({
      identities: people, links: [], rules,
      accounts: [
        account('g1', { mail: ['ada.alias@example.com', 'ADA@example.com'] }),
        account('g2', { mail: ['grace@example.com', 'ada@example.com'] }),
      ],
    });
    // Only Ada's values are g1's; g2's name Grace and Ada: never guessed (a shared mailbox is a dispute the same way).
    expect(result.verdicts[0]).toMatchObject({ kind: 'matched', identityId: 'E1' });
    expect(result.verdicts[1]).toMatchObject({ kind: 'disputed', candidates: ['E2', 'E1'] });
  });

  it('with keepVanished, a person whose link vanished still has an account here: another account matching them is disputed', () => {
    const result = correlate({
      identities: people, rules, keepVanished: true,
      links: [link('E2', 'gone')],
      accounts: [account('g9', { employeeID: 'E2' })],
    });
    expect(result.verdicts[0]).toMatchObject({ kind: 'disputed', candidates: ['E2'] });
    expect(result.vanished.map((l) => l.accountId)).toEqual(['gone']);
  });
});

describe('unreadRules', () => {
  const many = Array.from({ length: 10 }, (_, i) => account(`g${i}`, { sAMAccountName: `u${i}`, mail: `u${i}@example.com` }));

  it('warns of a rule whose attribute no account of a sizeable read carries, naming the rule and what the accounts carry', () => {
    const warnings = unreadRules('ad', many, [], rules);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ad: the match rule employeeID = identity.employeeId matched nothing: none of the 10 accounts read carries employeeID (they carry: mail, sAMAccountName)');
  });

  it('warns in a small read only when a link says an account read has the attribute (the read lost it)', () => {
    const few = many.slice(0, 2);
    expect(unreadRules('ad', few, [], rules)).toEqual([]);
    const written = { ...link('E1', 'g0'), attributes: { employeeID: 'E1' } };
    expect(unreadRules('ad', few, [written], rules)).toEqual([expect.stringContaining('none of the 2 accounts read carries employeeID')]);
  });

  it('says nothing of rules every read carries somewhere, nor of an empty read', () => {
    expect(unreadRules('ad', [...many, account('g10', { employeeID: ['E1', 'E9'] })], [], rules)).toEqual([]);
    expect(unreadRules('ad', [], [], rules)).toEqual([]);
  });

  it('leaves the other rules to match: a domain that never filled employeeID in links by mail', () => {
    const identities = [identity('E1', { employeeId: 'E1', email: 'u1@example.com' })];
    const result = correlate({ accounts: many, identities, links: [], rules });
    expect(result.verdicts.find((v) => v.account.accountId === 'g1')).toMatchObject({ kind: 'matched', identityId: 'E1', rule: { account: 'mail' } });
  });
});
