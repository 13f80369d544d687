import { sql, type Selectable } from 'kysely';
import type { Change, Job } from '../core/types.js';
import type { JobState, QueueStore } from './types.js';
import { inList, lockFor, toNumber, type Db, type Dialect, type StoreContext } from './context.js';
import { JOB_INDEX_STATES, JOB_STATE_COLUMNS, jobFromRow, jobStateFromRow, jobStatus } from './jobs.js';
import { fromJson } from './json.js';
import type { JobRow } from './schema.js';

export type ClaimOptions = Parameters<QueueStore['claim']>[0];

type Candidate = Pick<Selectable<JobRow>, 'id' | 'target'>;

export interface CandidateFilter {
  readonly now: string;
  readonly targets: readonly string[] | undefined;
  readonly saturated: readonly string[];
  readonly taken: readonly string[];
  readonly limit: number;
  /** Workers known to be gone: their running jobs are candidates whatever their leases say. */
  readonly dead?: readonly string[];
}

/**
 * Runnable jobs of one state, oldest first: pending and due, or running with
 * an expired lease (or leased by a worker known to be gone), with no unfinished job ahead of them on the same ordering
 * key ("ahead": lower seq in the same plan, or enqueued earlier by another
 * plan). PostgreSQL locks the rows it returns and skips rows other claimers
 * hold. The query follows the partial index of its state (next_run_at or
 * lease_until, seq, n) in order and stops at the limit, so a queue of a
 * million pending jobs costs what the first few rows cost, not a scan and a
 * sort of all of them. Exported for the store conformance suite, which
 * checks its plan.
 */
export function candidateQuery(trx: Db, dialect: Dialect, state: 'pending' | 'running', filter: CandidateFilter) {
  const column = state === 'pending' ? 'next_run_at' : 'lease_until';
  // Id and target only: the claim's update returns the rows, so the change is read (and parsed) once.
  let query = trx.selectFrom('roster_jobs as j').select(['j.id', 'j.target'])
    .where(jobStatus('j.status', JOB_INDEX_STATES[state]))
    .where((eb) => (state === 'running' && filter.dead !== undefined && filter.dead.length > 0
      ? eb.or([eb(`j.${column}`, '<=', filter.now), eb('j.worker_id', 'in', filter.dead)])
      : eb(`j.${column}`, '<=', filter.now)))
    .where((eb) => eb.not(eb.exists(
      eb.selectFrom('roster_jobs as e').select(sql<number>`1`.as('one'))
        .whereRef('e.ordering_key', '=', 'j.ordering_key')
        .where(jobStatus('e.status', JOB_INDEX_STATES.unfinished))
        .where((inner) => inner.or([
          inner.and([inner('e.plan_id', '=', inner.ref('j.plan_id')), inner('e.seq', '<', inner.ref('j.seq'))]),
          inner.and([inner('e.plan_id', '<>', inner.ref('j.plan_id')), inner('e.n', '<', inner.ref('j.n'))]),
        ])),
    )))
    .orderBy(`j.${column}`).orderBy('j.seq').orderBy('j.n')
    .limit(filter.limit);
  if (filter.targets !== undefined) query = query.where('j.target', 'in', filter.targets);
  if (filter.saturated.length > 0) query = query.where('j.target', 'not in', filter.saturated);
  if (filter.taken.length > 0) query = query.where('j.id', 'not in', filter.taken);
  if (dialect === 'postgres') query = query.forUpdate().skipLocked();
  return query;
}

/** Expired leases (and gone workers' leases) first, then pending jobs: two index walks instead of one OR. */
async function candidates(trx: Db, ctx: StoreContext, filter: CandidateFilter): Promise<Candidate[]> {
  const expired = await candidateQuery(trx, ctx.dialect, 'running', filter).execute();
  if (expired.length >= filter.limit) return expired;
  return [...expired, ...(await candidateQuery(trx, ctx.dialect, 'pending', filter).execute())].slice(0, filter.limit);
}

/**
 * Jobs each limited target may still lease to this worker: its limit minus the
 * live leases on it; the prefetch window instead while this worker is the
 * only one holding live leases there (see QueueStore.claim).
 */
async function budgets(trx: Db, options: ClaimOptions, now: string): Promise<Map<string, number>> {
  const perTarget = options.perTarget ?? {};
  const limited = Object.keys(perTarget);
  const budget = new Map<string, number>();
  if (limited.length === 0) return budget;
  const rows = await trx.selectFrom('roster_jobs').select(['target', 'worker_id', (eb) => eb.fn.countAll().as('running')])
    .where(jobStatus('status', JOB_INDEX_STATES.running)).where('lease_until', '>', now).where('target', 'in', limited)
    // A gone worker runs nothing: its leases are about to be taken over, not slots in use.
    .$if((options.deadWorkers?.length ?? 0) > 0, (query) => query.where('worker_id', 'not in', options.deadWorkers!))
    .groupBy(['target', 'worker_id']).execute();
  const mine = new Map<string, number>();
  const others = new Map<string, number>();
  for (const row of rows) {
    const held = row.worker_id === options.workerId ? mine : others;
    held.set(row.target, (held.get(row.target) ?? 0) + toNumber(row.running as number | string));
  }
  for (const target of limited) {
    const limit = perTarget[target] ?? 0;
    const own = mine.get(target) ?? 0;
    const foreign = others.get(target) ?? 0;
    const window = options.window?.[target];
    budget.set(target, window !== undefined && foreign === 0 ? Math.max(window, limit) - own : limit - own - foreign);
  }
  return budget;
}

/**
 * The claim, in one write transaction: SQLite's BEGIN IMMEDIATE makes it
 * exclusive; PostgreSQL uses FOR UPDATE SKIP LOCKED, plus an advisory lock
 * when per-target limits are given (two claimers must not both see a free slot).
 */
export function claimJobs(ctx: StoreContext, options: ClaimOptions): Promise<Job[]> {
  const at = options.now ?? new Date();
  const now = at.toISOString();
  const leaseUntil = new Date(at.getTime() + options.leaseMs).toISOString();
  if (options.limit <= 0 || options.targets?.length === 0) return Promise.resolve([]);
  return ctx.write(async (trx) => {
    if (options.perTarget !== undefined) await lockFor(ctx, trx, 'claim');
    const budget = await budgets(trx, options, now);
    const picked: Candidate[] = [];
    for (;;) {
      const want = options.limit - picked.length;
      // Room everywhere: the first `want` candidates will do. Else read ahead past the saturated targets' jobs.
      const fetch = [...budget.values()].every((left) => left >= want) ? want : want * 2 + 16;
      const saturated = [...budget].filter(([, left]) => left <= 0).map(([target]) => target);
      const rows = await candidates(trx, ctx, {
        now, targets: options.targets, saturated, taken: picked.map((r) => r.id), limit: fetch, dead: options.deadWorkers,
      });
      for (const row of rows) {
        const left = budget.get(row.target);
        if (left !== undefined && left <= 0) continue;
        if (left !== undefined) budget.set(row.target, left - 1);
        picked.push(row);
        if (picked.length === options.limit) break;
      }
      if (picked.length === options.limit || rows.length < fetch) break;
    }
    if (picked.length === 0) return [];
    const lease = trx.updateTable('roster_jobs')
      .set({ status: 'running', worker_id: options.workerId, lease_until: leaseUntil, attempts: sql`attempts + 1`, updated_at: now })
      .where(inList(ctx, 'id', picked.map((row) => row.id)));
    const known = options.knownChange;
    const leased = known === undefined
      ? (await lease.returningAll().execute()).map(jobFromRow)
      : await withChanges(ctx, trx, (await lease.returning(JOB_STATE_COLUMNS).execute()).map(jobStateFromRow), known);
    const byId = new Map(leased.map((job) => [job.id, job]));
    // In pick order (oldest first); every picked row was updated, the transaction holds them.
    return picked.flatMap((row) => {
      const job = byId.get(row.id);
      return job === undefined ? [] : [job];
    });
  });
}

/** Leased jobs with their changes: the caller's where it holds them, the rest read (and parsed) from the rows. */
async function withChanges(ctx: StoreContext, trx: Db, states: readonly JobState[], known: (job: JobState) => Change | undefined): Promise<Job[]> {
  const held = states.map((state) => known(state));
  const missing = states.filter((_, i) => held[i] === undefined).map((state) => state.id);
  const read = missing.length === 0 ? [] : await trx.selectFrom('roster_jobs').select(['id', 'change']).where(inList(ctx, 'id', missing)).execute();
  const stored = new Map(read.map((row) => [row.id, row.change]));
  return states.flatMap((state, i) => {
    const text = stored.get(state.id);
    const change = held[i] ?? (text === undefined ? undefined : fromJson<Change>(text));
    return change === undefined ? [] : [{ ...state, change }];
  });
}
