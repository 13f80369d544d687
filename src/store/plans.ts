import type { Selectable } from 'kysely';
import type { Change, Plan } from '../core/types.js';
import type { PlanStore } from './types.js';
import { bulkInsert } from './bulk.js';
import { toNumber, type StoreContext } from './context.js';
import { fromJson, toJson } from './json.js';
import { readChanges, writeChanges } from './plan-changes.js';
import type { PlanRow } from './schema.js';

const PLAN_COLUMNS = ['id', 'created_at', 'basis', 'held', 'summary', 'holds', 'diagnostics', 'changes', 'change_count', 'withdrawn'] as const;

const PLAN_TYPES = { basis: 'bigint', held: 'integer', change_count: 'integer' } as const;

/** The head row: everything but the changes (roster_plans.changes is '[]' since changes moved to roster_plan_changes). */
type PlanHead = Omit<Selectable<PlanRow>, 'changes' | 'n'>;

function planFromRow(row: PlanHead, changes: readonly Change[]): Plan {
  return {
    id: row.id,
    createdAt: row.created_at,
    basis: toNumber(row.basis),
    changes,
    summary: fromJson(row.summary),
    held: Number(row.held) === 1,
    holds: fromJson(row.holds),
    diagnostics: fromJson(row.diagnostics),
    ...(row.withdrawn === null || row.withdrawn === undefined ? {} : { withdrawn: fromJson<NonNullable<Plan['withdrawn']>>(row.withdrawn) }),
  };
}

/**
 * `list` takes one option beyond the PlanStore contract: `summaryOnly`, which
 * leaves the changes out (an empty array) so listing large plans stays cheap.
 */
export interface PlanListOptions {
  readonly limit?: number;
  readonly summaryOnly?: boolean;
}

const HEAD_COLUMNS = ['id', 'created_at', 'basis', 'held', 'summary', 'holds', 'diagnostics', 'change_count', 'withdrawn'] as const;

export function createPlanStore(ctx: StoreContext): PlanStore & { list(options?: PlanListOptions): Promise<Plan[]> } {
  const { db } = ctx;
  /** Changes in chunks; a plan saved before chunks existed has them in its head row. */
  const changesOf = async (row: PlanHead): Promise<Change[]> => {
    if (toNumber(row.change_count) === 0) return [];
    const chunked = await readChanges(db, row.id);
    if (chunked.length > 0) return chunked;
    const legacy = await db.selectFrom('roster_plans').select('changes').where('id', '=', row.id).executeTakeFirst();
    return legacy === undefined ? [] : fromJson<Change[]>(legacy.changes);
  };
  return {
    async save(plan) {
      const row = [
        plan.id, plan.createdAt, plan.basis, plan.held ? 1 : 0, toJson(plan.summary), toJson(plan.holds),
        toJson(plan.diagnostics), '[]', plan.changes.length, plan.withdrawn === undefined || plan.withdrawn.length === 0 ? null : toJson(plan.withdrawn),
      ];
      await ctx.write(async (trx) => {
        await bulkInsert(ctx, trx, { table: 'roster_plans', columns: PLAN_COLUMNS, types: PLAN_TYPES, key: ['id'], onConflict: 'update' }, [row]);
        await writeChanges(ctx, trx, plan.id, plan.changes);
      });
    },
    async get(id) {
      const row = await db.selectFrom('roster_plans').select(HEAD_COLUMNS).where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : planFromRow(row, await changesOf(row));
    },
    async list(options: PlanListOptions = {}) {
      let query = db.selectFrom('roster_plans').select(HEAD_COLUMNS).orderBy('created_at', 'desc').orderBy('n', 'desc');
      if (options.limit !== undefined) query = query.limit(options.limit);
      const rows = await query.execute();
      const plans: Plan[] = [];
      for (const row of rows) plans.push(planFromRow(row, options.summaryOnly === true ? [] : await changesOf(row)));
      return plans;
    },
  };
}
