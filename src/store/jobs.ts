import type { Selectable } from 'kysely';
import type { Job, JobStatus } from '../core/types.js';
import { toNumber } from './context.js';
import { fromJson, optional } from './json.js';
import type { JobRow } from './schema.js';

/** Statuses after which a job no longer holds back later jobs of its ordering key. */
export const UNFINISHED: readonly JobStatus[] = ['pending', 'running'];

export function jobFromRow(row: Selectable<JobRow>): Job {
  return {
    id: row.id,
    planId: row.plan_id,
    change: fromJson(row.change),
    target: row.target,
    orderingKey: row.ordering_key,
    seq: toNumber(row.seq),
    status: row.status as JobStatus,
    attempts: toNumber(row.attempts),
    nextRunAt: row.next_run_at,
    ...optional('leaseUntil', row.lease_until),
    ...optional('lastError', row.last_error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
