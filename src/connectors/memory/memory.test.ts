import { afterEach, describe, expect, it } from 'vitest';
import { isRosterError, RosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { createConnector } from '../registry.js';
import { memoryTargets } from './memory-target.js';

const make = (connection: Record<string, unknown> = {}, id = 'mem') =>
  createConnector({ id, type: 'memory', connection, accountKey: 'uid' }, { targetId: id, baseDir: '.', log: silentLogger });

afterEach(() => memoryTargets.clear());

describe('memory connector', () => {
  it('shares accounts per target id and loads the seed once', async () => {
    const a = make({ seed: [{ attributes: { uid: 'seeded' }, entitlements: ['g'] }] });
    const b = make({ seed: [] });
    await a.create({ attributes: { uid: 'x1' }, enabled: true });
    expect((await b.get('x1'))?.accountId).toBe('x1');
    expect((await b.get('seeded'))?.entitlements).toEqual(['g']);
    expect(memoryTargets.get('mem')?.accounts.size).toBe(2);
  });

  it('failNext fails the next N operations with a retryable error, then recovers', async () => {
    const c = make();
    const target = memoryTargets.get('mem');
    target?.failNext(2, { retryAfterMs: 1500, operations: ['create'] });
    await expect(c.get('nobody')).resolves.toBeUndefined();
    for (let i = 0; i < 2; i++) {
      const error = await c.create({ attributes: { uid: 'u' }, enabled: true }).catch((e: unknown) => e);
      expect(isRosterError(error, 'target.rate_limited')).toBe(true);
      expect((error as RosterError).retryable).toBe(true);
      expect((error as RosterError).retryAfterMs).toBe(1500);
    }
    await expect(c.create({ attributes: { uid: 'u' }, enabled: true })).resolves.toMatchObject({ accountId: 'u' });
    expect(target?.calls('create')).toBe(3);
    expect(target?.calls()).toBe(4);
  });

  it('rejectNext fails with a non-retryable target.rejected', async () => {
    const c = make();
    memoryTargets.get('mem')?.rejectNext(1);
    const error = await c.check().catch((e: unknown) => e);
    expect(isRosterError(error, 'target.rejected')).toBe(true);
    expect((error as RosterError).retryable).toBe(false);
    await expect(c.check()).resolves.toBeUndefined();
  });

  it('configured failures apply from the start', async () => {
    const c = make({ failures: { count: 1 } });
    await expect(c.check()).rejects.toThrow(/unavailable/);
    await expect(c.check()).resolves.toBeUndefined();
  });

  it('records the most operations in flight at once', async () => {
    const c = make({ latencyMs: 5 });
    await Promise.all(['a', 'b', 'c'].map((uid) => c.create({ attributes: { uid }, enabled: true })));
    expect(memoryTargets.get('mem')?.maxInFlight).toBe(3);
  });

  it('refuses unknown connection keys', () => {
    expect(() => make({ nope: true })).toThrow(/nope|Unrecognized/);
  });
});
