import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import type { Change, Plan } from '../../src/core/types.js';
import { enqueuePlanJobs, type LeftOutChange } from '../../src/executor/enqueue-plan.js';
import { planJobs } from '../../src/executor/plan-jobs.js';
import { openPostgres } from '../../src/store/postgres.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import type { Store } from '../../src/store/types.js';
import type { Backend } from '../../src/store/backend.js';
import { freshSchema } from '../support/pg.js';

/**
 * Three connections (as three processes would) apply plans over overlapping
 * targets at once, with the enqueue re-check, while workers claim and
 * complete jobs with audit entries: no deadlock, every account's change is
 * queued exactly once, and the audit chain still verifies.
 */
describe('enqueue re-check under three concurrent PostgreSQL connections (review12)', () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  const backends: Backend[] = [];
  const stores: Store[] = [];

  beforeAll(async () => {
    schema = await freshSchema('roster_r12_race');
    for (let i = 0; i < 3; i++) {
      const backend = openPostgres(schema.url);
      backends.push(backend);
      if (i === 0) await backend.migrate();
      stores.push(createSqlStore(backend));
    }
  }, 60_000);
  afterAll(async () => {
    for (const backend of backends) await backend.close();
    await schema?.drop();
  });

  const create = (target: string, who: string): Change => ({
    id: `${target}:${who}:create`, identity: who, target, action: 'create', before: null,
    after: { accountId: `${target}-${who}`, enabled: true, attributes: { username: who } }, reasons: ['joiner'],
  });
  const planOf = (id: string, targets: readonly string[], people: number): Plan => {
    const changes = targets.flatMap((t) => Array.from({ length: people }, (_, i) => create(t, `E${i}`)));
    return { id, createdAt: new Date().toISOString(), basis: 1, changes, summary: { create: changes.length }, held: false, holds: [], diagnostics: [] };
  };
  const targetsOf = (p: Plan) => new Map(p.changes.map((c) => [c.target, { id: c.target } as never]));

  it('no deadlock, each change queued once, audit chain valid', async () => {
    const people = 300;
    const shapes = [['a', 'b'], ['b', 'c'], ['c', 'a'], ['a', 'b', 'c'], ['c', 'b'], ['b', 'a']];
    const plans = shapes.map((targets, i) => planOf(`race-${i}`, targets, people));
    let stop = false;
    // Workers claiming jobs and appending to the audit chain while the plans are enqueued.
    const worker = async (store: Store, id: string) => {
      while (!stop) {
        // Claimed (running) jobs still wait: a done one would let a later plan queue its change again, rightly.
        const jobs = await store.queue.claim({ workerId: id, limit: 20, leaseMs: 60_000 });
        await store.audit.append(jobs.map((job) => ({ kind: 'change.started', actor: id, target: job.target, data: { jobId: job.id } })));
        if (jobs.length === 0) await new Promise((r) => setTimeout(r, 5));
      }
    };
    const workers = [worker(stores[1]!, 'w1'), worker(stores[2]!, 'w2')];
    const left: LeftOutChange[][] = [];
    try {
      await Promise.all(plans.map((plan, i) => {
        const store = stores[i % 3]!;
        return enqueuePlanJobs(store.queue, plan, planJobs(plan, targetsOf(plan)), () => new Date(), { leftOut: { actor: `p${i}`, report: (l) => left.push([...l]) } });
      }));
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    // Every (target, account) was enqueued by exactly one plan, whether finished since or not.
    const all = await stores[0]!.queue.stats({});
    expect(all.pending + all.running).toBe(3 * people);
    expect(left.flat().length).toBe(plans.reduce((n, p) => n + p.changes.length, 0) - 3 * people);
    expect((await verifyAudit(stores[0]!)).ok).toBe(true);
  }, 120_000);
});
