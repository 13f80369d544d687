/**
 * Queuing a plan of N creates, without and with the enqueue-time re-check
 * (store/enqueue.ts: the other plans' unfinished jobs of the same accounts
 * read again inside the insert's transaction, so a change another process
 * queued after this plan was made is not queued twice), alternated, into a
 * fresh store each run.
 *   npm run bench -- enqueue --changes 100000 [--runs 3] [--store sqlite|postgres] [--queued none|equal|other] [--json]
 * `--queued`: what another plan has waiting for the same accounts first:
 * nothing, equal changes (all left out) or other changes (none left out,
 * every one compared). PostgreSQL: ROSTER_TEST_PG or 127.0.0.1:5432.
 * The last line is {"changes","runs","store","queued","cpu_ms","recheck_cpu_ms","left_out",...} (medians).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Change, Plan } from '../src/core/types.js';
import { enqueuePlanJobs } from '../src/executor/enqueue-plan.js';
import { planJobs } from '../src/executor/plan-jobs.js';
import { openPostgres } from '../src/store/postgres.js';
import { createSqlStore } from '../src/store/sql-store.js';
import { openSqlite } from '../src/store/sqlite.js';
import type { Store } from '../src/store/types.js';
import { freshSchema } from '../test/support/pg.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { measured } from './lib/cpu.js';
import { percentile } from './lib/stats.js';

const args = readArgs({ changes: 100_000, runs: 3 }, { store: ['sqlite', 'postgres'], queued: ['none', 'equal', 'other'] });
const { changes: count, runs } = args.values;
const { store: dialect, queued } = args.choices;

const create = (i: number, name: string): Change => ({
  id: `app:E${i}:create`, identity: `E${i}`, target: 'app', action: 'create', before: null,
  after: { accountId: `e${i}`, enabled: true, attributes: { username: `e${i}`, displayName: name, mail: `e${i}@example.com` } }, reasons: ['joiner'],
});
const planOf = (id: string, changes: Change[]): Plan => ({
  id, createdAt: new Date().toISOString(), basis: 1, changes, summary: { create: changes.length }, held: false, holds: [], diagnostics: [],
});

async function open(): Promise<{ store: Store; close(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'roster-bench-enqueue-'));
    const backend = openSqlite(join(dir, 'roster.db'), dir);
    await backend.migrate();
    return { store: createSqlStore(backend), close: async () => { await backend.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const schema = await freshSchema('bench_enqueue');
  const backend = openPostgres(schema.url);
  await backend.migrate();
  return { store: createSqlStore(backend), close: async () => { await backend.close(); await schema.drop(); } };
}

async function once(recheck: boolean): Promise<{ cpuMs: number; ms: number; leftOut: number }> {
  const { store, close } = await open();
  try {
    const targets = new Set(['app']);
    if (queued !== 'none') {
      const earlier = planOf('earlier', Array.from({ length: count }, (_, i) => create(i, queued === 'equal' ? `Person ${i}` : `Other ${i}`)));
      await enqueuePlanJobs(store.queue, earlier, planJobs(earlier, targets), () => new Date());
    }
    const plan = planOf('later', Array.from({ length: count }, (_, i) => create(i, `Person ${i}`)));
    const jobs = planJobs(plan, targets);
    let leftOut = 0;
    const options = recheck ? { leftOut: { actor: 'bench', report: (left: readonly unknown[]) => { leftOut = left.length; } } } : {};
    const { ms, cpuMs } = await measured(() => enqueuePlanJobs(store.queue, plan, jobs, () => new Date(), options));
    return { cpuMs, ms, leftOut };
  } finally {
    await close();
  }
}

const without: { cpuMs: number; ms: number }[] = [];
const withRecheck: { cpuMs: number; ms: number; leftOut: number }[] = [];
for (let run = 1; run <= runs; run++) {
  without.push(await once(false));
  withRecheck.push(await once(true));
  progress(args, `run ${run}: without ${without.at(-1)!.cpuMs.toFixed(0)} ms CPU, with re-check ${withRecheck.at(-1)!.cpuMs.toFixed(0)} ms CPU (left out ${withRecheck.at(-1)!.leftOut})`);
}
const median = (xs: readonly number[]) => Math.round(percentile(xs, 50));
printResult({
  changes: count, runs, store: dialect, queued,
  cpu_ms: median(without.map((r) => r.cpuMs)), ms: median(without.map((r) => r.ms)),
  recheck_cpu_ms: median(withRecheck.map((r) => r.cpuMs)), recheck_ms: median(withRecheck.map((r) => r.ms)),
  left_out: withRecheck[0]!.leftOut,
});
