/** Test helpers for merge tests: batches and a merge that starts from earlier results. */
import type { LifecycleConfig, SourceConfig } from '../config/types.js';
import type { Attributes, Identity, SourceBatch, SourceProblem } from '../core/types.js';
import { NOW, person, testLifecycle, testSource } from '../policy/test-config.js';
import { mergeBatch, type MergeResult } from './merge.js';

export const batchOf = (
  rows: readonly Attributes[], options: { complete?: boolean; problems?: readonly SourceProblem[] } = {},
): SourceBatch => ({
  sourceId: 'hr',
  records: rows.map((attributes, i) => ({ key: String(attributes.employeeId), attributes, line: i + 2 })),
  problems: options.problems ?? [],
  complete: options.complete ?? false,
  rowsRead: rows.length + (options.problems?.length ?? 0),
});

export interface MergeOptions {
  readonly existing?: readonly Identity[];
  readonly now?: Date;
  readonly complete?: boolean;
  readonly problems?: readonly SourceProblem[];
  readonly source?: SourceConfig;
  readonly lifecycle?: LifecycleConfig;
}

export const merge = (rows: readonly Attributes[], options: MergeOptions = {}): MergeResult =>
  mergeBatch({
    batch: batchOf(rows, options),
    existing: new Map((options.existing ?? []).map((i) => [i.id, i])),
    source: options.source ?? testSource(),
    lifecycle: options.lifecycle ?? testLifecycle(),
    now: options.now ?? NOW,
  });

/** Merge rows at `at` and return the single identity it made. */
export const seed = (attributes: Attributes, at: Date): Identity => {
  const result = merge([attributes], { now: at });
  const made = result.upserts[0];
  if (!made) throw new Error('seed made no identity');
  return made;
};

/** A company of `n` active people, e0..e(n-1), as stored identities. */
export const company = (n: number, at: Date): { rows: Attributes[]; identities: Identity[] } => {
  const rows = Array.from({ length: n }, (_, i) => person(`e${i}`));
  const result = merge(rows, { now: at });
  return { rows, identities: [...result.upserts] };
};
