import { describe, expect, it } from 'vitest';
import { BULK_REQUEST_SCHEMA, parseBulkRequest, planBulk, referencedBulkIds, type BulkOperation } from './bulk-plan.js';

/**
 * planBulk looked for the next runnable operation by scanning every pending
 * one, and rebuilt the pending list after each pick: quadratic. With
 * maxOperations configured high (the schema allows 100,000), a Bulk of 27,000
 * cheap DELETEs blocked the event loop for 9 s before a single one ran —
 * every other request (an HR push, a SCIM GET) waited with it.
 */
describe('planBulk at scale (review8)', () => {
  const request = (Operations: unknown[]) => ({ schemas: [BULK_REQUEST_SCHEMA], Operations });

  it('plans 50,000 operations, each waiting on a POST later in the request, in well under a second', () => {
    const n = 25_000;
    const operations = [
      ...Array.from({ length: n }, (_, i) => ({ method: 'DELETE', path: `/Users/bulkId:u${i}` })),
      ...Array.from({ length: n }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: {} })),
    ];
    const parsed = parseBulkRequest(request(operations), 100_000).operations;
    const started = performance.now();
    const plan = planBulk(parsed);
    const elapsed = performance.now() - started;
    expect(plan.circular).toEqual([]);
    expect(plan.order).toHaveLength(2 * n);
    // Each DELETE right after the POST it waits on, in request order.
    expect(plan.order.slice(0, 4)).toEqual([n, 0, n + 1, 1]);
    expect(elapsed).toBeLessThan(1_500);
  });

  /** The order as specified: repeatedly the first pending operation (by index) whose POSTs have all run. */
  function reference(operations: readonly BulkOperation[]) {
    const definedBy = new Map<string, number>();
    for (const op of operations) if (op.method === 'POST' && op.bulkId !== undefined && op.problem === undefined) definedBy.set(op.bulkId, op.index);
    const waits = operations.map((op) => [...referencedBulkIds(op.data, referencedBulkIds(op.path.replace(/^\/+/, '').split('/')))]
      .map((id) => definedBy.get(id)).filter((i): i is number => i !== undefined));
    const done = new Set<number>();
    const order: number[] = [];
    let pending = operations.map((op) => op.index);
    for (;;) {
      const next = pending.find((i) => waits[i]!.every((d) => done.has(d)));
      if (next === undefined) break;
      order.push(next);
      done.add(next);
      pending = pending.filter((i) => i !== next);
    }
    return { order, circular: pending };
  }

  it('gives the same order as the definition on random requests, cycles included', () => {
    let seed = 42;
    const random = (m: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % m;
    };
    for (let round = 0; round < 200; round += 1) {
      const size = 1 + random(12);
      const ops = Array.from({ length: size }, (_, i) => {
        const refs = Array.from({ length: random(3) }, () => ({ value: `bulkId:b${random(size + 2)}` }));
        return random(3) === 0
          ? { method: 'PATCH', path: `/Groups/bulkId:b${random(size + 2)}`, data: { members: refs } }
          : { method: 'POST', path: '/Groups', bulkId: `b${i}`, data: { members: refs } };
      });
      const parsed = parseBulkRequest(request(ops), 100).operations;
      expect(planBulk(parsed)).toEqual(reference(parsed));
    }
  });
});
