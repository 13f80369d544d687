import type { SourceConfig } from '../config/types.js';
import type { Diagnostic, Identity, SourceBatch, SourceProblem } from '../core/types.js';
import { readsEntries } from './row-place.js';
import { awaitedBack, effectiveState, isLive } from './state.js';
import { describeThreshold, formatCount, formatShare, missingLimit, thresholdLimit } from './threshold.js';

/**
 * A `source.truncated` diagnostic with its numbers, for the plan hold
 * (`safety.source_truncated`) it becomes: `count` people would be gone,
 * `limit` may be (source.maxMissing over the live people).
 */
export interface TruncatedDiagnostic extends Diagnostic {
  readonly code: 'source.truncated';
  readonly count: number;
  readonly limit: number;
}

/** The hold numbers of a `source.truncated` diagnostic (undefined for any other, or one without them). */
export function truncationOf(diagnostic: Diagnostic): { readonly count: number; readonly limit: number } | undefined {
  if (diagnostic.code !== 'source.truncated') return undefined;
  const { count, limit } = diagnostic as Partial<TruncatedDiagnostic>;
  return typeof count === 'number' && typeof limit === 'number' ? { count, limit } : undefined;
}

export interface MissingCheck {
  /** Live identities of this source that are gone from the snapshot (empty when suppressed or truncated). */
  readonly gone: readonly Identity[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Who vanished from a complete snapshot. Safety first:
 * - an empty snapshot, or one where more than `source.maxMissing` of the live
 *   (prehire, active, on leave) identities vanished, is treated as truncated:
 *   nobody is marked missing and an error `source.truncated` tells the engine
 *   to hold the plan. Each row without a readable key is counted as one of
 *   the vanished who may still be there;
 * - otherwise a row whose key could not be read might be anyone: nobody is
 *   marked missing (`source.missing_suppressed`).
 * Identities already terminated or rescinded are not counted: HR files often
 * drop people some time after they left.
 */
export function findMissing(input: {
  readonly batch: SourceBatch;
  readonly existing: ReadonlyMap<string, Identity>;
  readonly source: SourceConfig;
  /** Keys in the batch, plus keys protected by a problem row. */
  readonly present: Pick<ReadonlySet<string>, 'has'>;
  readonly now: Date;
}): MissingCheck {
  const { batch, source, present, now } = input;
  if (!batch.complete) return reportedGone(input);
  const { live, gone } = liveAndGone(input, (identity) => !present.has(identity.id));
  const limit = missingLimit(source.maxMissing, live);
  if (live > 0 && batch.records.length === 0) {
    // Before the keyless rows: an empty file is reported as a row without a key, and is still a truncated feed.
    const what = `the snapshot is empty but ${formatCount(live)} people are active; the limit is ${describeLimit(source.maxMissing, live, limit)}`;
    return { gone: [], diagnostics: [truncated(source, what, live, limit)] };
  }
  const keyless = batch.problems.filter((p) => p.key === undefined || p.key === '');
  // A row without a key might be one of the people gone, but only one: more gone than that is a truncated feed.
  if (gone.length - keyless.length > limit) {
    const besides = keyless.length > 0 ? `, and ${readsEntries(source) ? `${formatCount(keyless.length)} ${keyless.length === 1 ? 'entry has' : 'entries have'}` : `${formatCount(keyless.length)} row(s) have`} no readable key` : '';
    const what = `${formatCount(gone.length)} of ${formatCount(live)} people would be gone `
      + `(${formatShare(gone.length, live)}); the limit is ${describeLimit(source.maxMissing, live, limit)}${besides}`;
    return { gone: [], diagnostics: [truncated(source, what, gone.length, limit)] };
  }
  if (keyless.length > 0) {
    return {
      gone: [],
      diagnostics: [{
        severity: 'warning', code: 'source.missing_suppressed',
        message: `${source.id}: ${withoutKey(source, keyless)}; nobody is treated as gone from this snapshot until they are fixed`,
      }],
    };
  }
  return { gone, diagnostics: [] };
}

/**
 * The rows without a readable key, the first five named: a file's by line; a directory's entries by their problems
 * (each names the entry's DN), their line being only where the entry came in the server's answer.
 */
function withoutKey(source: SourceConfig, keyless: readonly SourceProblem[]): string {
  const first = keyless.slice(0, 5);
  if (!readsEntries(source)) return `${formatCount(keyless.length)} row(s) without a readable key (line ${first.map((p) => p.line).join(', ')})`;
  const more = keyless.length > first.length ? `; and ${formatCount(keyless.length - first.length)} more` : '';
  return `${formatCount(keyless.length)} ${keyless.length === 1 ? 'entry' : 'entries'} without a readable key (${first.map((p) => p.message).join('; ')}${more})`;
}

/** The source's live people counted, and those of them `isGone` picks that are not already marked missing. */
function liveAndGone(input: Parameters<typeof findMissing>[0], isGone: (identity: Identity) => boolean): { live: number; gone: Identity[] } {
  let live = 0;
  const gone: Identity[] = [];
  for (const identity of input.existing.values()) {
    if (identity.sourceId !== input.source.id) continue;
    // Someone in the gap before a next employment is awaited back: gone from the source, they must not return at its start.
    if (!isLive(effectiveState(identity, input.now)) && !awaitedBack(identity, input.now)) continue;
    live += 1;
    if (isGone(identity) && identity.missingSince === undefined) gone.push(identity);
  }
  return { live, gone };
}

/**
 * Who a delta says is gone (`batch.gone`: a directory read with syncrepl saw
 * them deleted, or an `ad` incremental pass saw them leave), under the same limit as a snapshot: more than
 * `source.maxMissing` of the live people at once is treated as a truncated
 * read (nobody is marked missing; `source.truncated` holds the plan). A key
 * that is also in the batch (a record or a problem row) is not gone; a
 * source with `complete: false` has nobody gone.
 * `existing` must hold all of the source's identities (engine.ts loads them
 * for such a batch), or the limit is taken over too few.
 */
function reportedGone(input: Parameters<typeof findMissing>[0]): MissingCheck {
  const { batch, source, present } = input;
  // A source that is not a complete snapshot has no leavers by absence, and none by report either (its full passes agree).
  if (!source.complete || batch.gone === undefined || batch.gone.length === 0) return { gone: [], diagnostics: [] };
  const reported = new Set(batch.gone);
  const { live, gone } = liveAndGone(input, (identity) => reported.has(identity.id) && !present.has(identity.id));
  const limit = missingLimit(source.maxMissing, live);
  if (gone.length > limit) {
    const what = `it reports ${formatCount(gone.length)} of ${formatCount(live)} people deleted `
      + `(${formatShare(gone.length, live)}); the limit is ${describeLimit(source.maxMissing, live, limit)}`;
    return { gone: [], diagnostics: [truncated(source, what, gone.length, limit)] };
  }
  return { gone, diagnostics: [] };
}

/**
 * "20% (40 people)" of 200, "20% (at least 1 person)" where the floor of one
 * is what allowed the one, "12 people" for a count.
 */
function describeLimit(threshold: SourceConfig['maxMissing'], live: number, limit: number): string {
  const people = `${formatCount(limit)} ${limit === 1 ? 'person' : 'people'}`;
  if ('count' in threshold) return people;
  const written = describeThreshold(threshold);
  return limit > thresholdLimit(threshold, live) ? `${written} (at least ${people})` : `${written} (${people})`;
}

/** `count` people would be gone, `limit` may be: the hold's numbers (engine.ts). */
function truncated(source: SourceConfig, what: string, count: number, limit: number): TruncatedDiagnostic {
  return {
    severity: 'error', code: 'source.truncated', count, limit,
    message: `source ${source.id} looks truncated: ${what}. Nobody was marked as gone; check ${readsEntries(source) ? 'the directory read (its base and filter)' : 'the file'}`,
  };
}
