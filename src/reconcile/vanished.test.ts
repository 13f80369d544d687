import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import type { LinkedAccount, TargetAccount } from '../core/types.js';
import { vanishedHold } from './vanished.js';

const target = (minAccounts: number, maxDeletes: TargetConfig['safety']['maxDeletes'] = { percent: 5 }): TargetConfig => ({
  id: 'corp', type: 'ldap', connection: {}, scope: 'true', attributes: {}, accountKey: 'uid',
  leaver: { disable: 'immediately', deleteAfterMs: null }, onLeave: 'disable',
  safety: { maxDeletes, maxDisables: { percent: 10 }, minAccounts },
  executor: { concurrency: 1, maxAttempts: 1, backoffBaseMs: 0, backoffMaxMs: 0, quarantineAfter: 1 },
});
const links = (n: number): LinkedAccount[] => Array.from({ length: n }, (_, i) => ({
  target: 'corp', identityId: `E${i}`, accountId: `a${i}`, attributes: {}, entitlements: [], enabled: true, createdAt: '', updatedAt: '',
}));
/** The accounts of links `from`..`to` (exclusive), as a read returns them. */
const read = (from: number, to: number): TargetAccount[] =>
  Array.from({ length: to - from }, (_, i) => ({ accountId: `a${from + i}`, attributes: {}, entitlements: [], enabled: true }));

describe('vanishedHold', () => {
  it('holds when the read returns nothing while links exist, whatever the target size', () => {
    expect(vanishedHold(target(10), links(120), [])).toMatchObject({
      code: 'safety.vanished', count: 120,
      message: "the read of corp returned 0 of 120 linked accounts: check connection.base / users.base and the bind account's rights; links kept",
    });
    expect(vanishedHold(target(10), links(2), [])).toMatchObject({ code: 'safety.vanished', count: 2 });
  });

  it('lets a few genuinely deleted accounts through: 1 of 50, and one in a target below minAccounts', () => {
    expect(vanishedHold(target(10), links(50), read(1, 50))).toBeUndefined();
    expect(vanishedHold(target(10), links(3), read(1, 3))).toBeUndefined();
    expect(vanishedHold(target(10), links(50), read(0, 50))).toBeUndefined();
  });

  it('holds more vanished links than maxDeletes allows of the links (a percentage or a count)', () => {
    expect(vanishedHold(target(10), links(50), read(10, 50))).toMatchObject({
      count: 10, limit: 2, message: expect.stringContaining('10 of 50 linked accounts in corp are missing from the read (20%); the limit is safety.maxDeletes 5%'),
    });
    expect(vanishedHold(target(10, { count: 20 }), links(50), read(10, 50))).toBeUndefined();
  });

  it('holds a read smaller than minAccounts when the links say the target is bigger', () => {
    expect(vanishedHold(target(10, { count: 100 }), links(40), read(35, 40))).toMatchObject({
      message: expect.stringContaining('returned 5 accounts (5 of 40 linked), fewer than safety.minAccounts (10)'),
    });
  });

  it('lets one vanished link through in a target of 10 to 19 links (5% floors to 0 there), as plans do; two are held', () => {
    expect(vanishedHold(target(10), links(12), read(1, 12))).toBeUndefined();
    expect(vanishedHold(target(10), links(19), read(1, 19))).toBeUndefined();
    expect(vanishedHold(target(10), links(12), read(2, 12))).toMatchObject({ code: 'safety.vanished', count: 2, limit: 1 });
  });
});
