import type { Selectable } from 'kysely';
import type { Plan } from '../core/types.js';
import type { PlanStore } from './types.js';
import { bulkInsert } from './bulk.js';
import { toNumber, type StoreContext } from './context.js';
import { fromJson, toJson } from './json.js';
import type { PlanRow } from './schema.js';

const PLAN_COLUMNS = ['id', 'created_at', 'basis', 'held', 'summary', 'holds', 'diagnostics', 'changes', 'change_count'] as const;

const PLAN_TYPES = { basis: 'bigint', held: 'integer', change_count: 'integer' } as const;

type PlanHead = Omit<Selectable<PlanRow>, 'changes'> & { readonly changes?: string };

function planFromRow(row: PlanHead): Plan {
  return {
    id: row.id,
    createdAt: row.created_at,
    basis: toNumber(row.basis),
    changes: row.changes === undefined ? [] : fromJson(row.changes),
    summary: fromJson(row.summary),
    held: Number(row.held) === 1,
    holds: fromJson(row.holds),
    diagnostics: fromJson(row.diagnostics),
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

export function createPlanStore(ctx: StoreContext): PlanStore & { list(options?: PlanListOptions): Promise<Plan[]> } {
  const { db } = ctx;
  return {
    async save(plan) {
      const row = [
        plan.id, plan.createdAt, plan.basis, plan.held ? 1 : 0, toJson(plan.summary), toJson(plan.holds),
        toJson(plan.diagnostics), toJson(plan.changes), plan.changes.length,
      ];
      await ctx.write((trx) => bulkInsert(ctx, trx, { table: 'roster_plans', columns: PLAN_COLUMNS, types: PLAN_TYPES, key: ['id'], onConflict: 'update' }, [row]));
    },
    async get(id) {
      const row = await db.selectFrom('roster_plans').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : planFromRow(row);
    },
    async list(options: PlanListOptions = {}) {
      let query = db.selectFrom('roster_plans')
        .select(['n', 'id', 'created_at', 'basis', 'held', 'summary', 'holds', 'diagnostics', 'change_count'])
        .orderBy('created_at', 'desc').orderBy('n', 'desc');
      if (options.summaryOnly !== true) query = query.select('changes');
      if (options.limit !== undefined) query = query.limit(options.limit);
      const rows: PlanHead[] = await query.execute();
      return rows.map(planFromRow);
    },
  };
}
