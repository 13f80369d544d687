import { describe, expect, it } from 'vitest';
import { mapLimited } from './concurrency.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapLimited', () => {
  it('keeps the items\' order and never more than `limit` calls at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimited([30, 5, 20, 1, 10, 2, 15], 3, async (ms, i) => {
      running += 1;
      most = Math.max(most, running);
      await tick(ms);
      running -= 1;
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10', '5:2', '6:15']);
    expect(most).toBe(3);
  });

  it('the first failure stops new calls and rejects after the ones under way settle', async () => {
    const started: number[] = [];
    let settled = 0;
    const run = mapLimited([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await tick(n === 2 ? 1 : 20);
      settled += 1;
      if (n === 2) throw new Error('boom');
      return n;
    });
    await expect(run).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(2);
  });

  it('no items: no calls', async () => {
    expect(await mapLimited([], 4, async () => { throw new Error('called'); })).toEqual([]);
  });
});
