import { RosterError } from '../core/errors.js';
import type { Diagnostic, SourceBatch, SourceRecord } from '../core/types.js';
import type { StateStore } from '../store/types.js';
import { describeJson } from './values.js';

/**
 * The optional ordering field of a pushed record: when the HR system recorded
 * the change (its last-modified or entry moment, as SuccessFactors'
 * lastModifiedDateTime or SCIM's meta.lastModified; not the business
 * effective date, which a retroactive correction entered later may put
 * earlier). Reserved like `_action`: never an attribute of the person.
 */
export const CHANGED_AT_FIELD = '_changedAt';

/** ISO-8601 date-time with seconds and an explicit offset (`Z` or `±hh:mm`): a local time would be ambiguous. */
const CHANGED_AT = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * The record's `_changedAt` in ms since the epoch, undefined when absent. A
 * value that is not an ISO date-time with an offset is refused for the whole
 * body (400 naming the record's index): a sender whose clock field is broken
 * would otherwise have every record applied in arrival order unnoticed.
 */
export function readChangedAt(item: Readonly<Record<string, unknown>>, index: number): number | undefined {
  const value = item[CHANGED_AT_FIELD];
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? CHANGED_AT.exec(value) : null;
  const ms = match === null ? Number.NaN : Date.parse(value as string);
  if (match === null || !Number.isFinite(ms) || !realDate(match[1]!, match[2]!, match[3]!)) {
    throw new RosterError('request.invalid', `records[${index}].${CHANGED_AT_FIELD} is ${shown(value)}: `
      + 'expected an ISO-8601 date-time with seconds and an offset, e.g. "2026-11-27T17:00:00Z" or "2026-11-27T18:00:00+01:00"');
  }
  return ms;
}

/** The value as sent, cut short (a timestamp field: nothing secret in it). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? describeJson(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** 2026-02-30 is no date (Date.parse would roll it over to March). */
function realDate(y: string, m: string, d: string): boolean {
  return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))).toISOString().startsWith(`${y}-${m}-${d}`);
}

/** A pushed record that was not applied because a later change of the same person is known. */
export interface SkippedRecord {
  readonly line: number;
  readonly key: string;
  /** The record's `_changedAt` (normalised to UTC); absent for a record without one superseded in its push. */
  readonly changedAt?: string;
  /** The later change that wins: in this batch, or the latest Roster applied. */
  readonly latest: string;
  readonly reason: 'superseded_in_batch' | 'out_of_order';
}

export function skippedDiagnostic(sourceId: string, skipped: SkippedRecord): Diagnostic {
  const why = skipped.reason === 'out_of_order'
    ? `a change recorded at ${skipped.latest} was applied already`
    : `a later change of the same person (${skipped.latest}) is in this push`;
  const given = skipped.changedAt === undefined ? `has no ${CHANGED_AT_FIELD}` : `${CHANGED_AT_FIELD} ${skipped.changedAt} is not the latest`;
  return {
    severity: 'warning', code: `push.${skipped.reason}`, identity: skipped.key,
    message: `${sourceId} line ${skipped.line}: ${given}: ${why}; the record is skipped`,
  };
}

/** The state key holding the latest `_changedAt` applied for a person of a push source. */
export function changedAtKey(sourceId: string, key: string): string {
  return `push:changedAt:${sourceId}:${key}`;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** State updates in flight at once for one push (below PostgreSQL's pool of 10, which the ingest also needs). */
const UPDATES_AT_ONCE = 4;

/**
 * Within one push, of the records of a person one of which carries
 * `_changedAt`, the one with the latest value is kept (of equal ones, the
 * first, as for duplicates without it); the others are skipped, by index.
 * People none of whose records carries it keep today's rule (a later record
 * of the same key is a duplicate-key problem). `entries` are in body order.
 */
export function supersededInBatch(
  entries: readonly { readonly key: string | undefined; readonly at: number | undefined }[],
): Map<number, SkippedRecord> {
  const best = new Map<string, number>();
  entries.forEach(({ key, at }, index) => {
    if (key === undefined || at === undefined) return;
    const held = best.get(key);
    if (held === undefined || at > entries[held]!.at!) best.set(key, index);
  });
  const skipped = new Map<number, SkippedRecord>();
  if (best.size === 0) return skipped;
  entries.forEach(({ key, at }, index) => {
    const winner = key === undefined ? undefined : best.get(key);
    if (winner === undefined || winner === index) return;
    skipped.set(index, {
      line: index + 1, key: key!, ...(at === undefined ? {} : { changedAt: iso(at) }),
      latest: iso(entries[winner]!.at!), reason: 'superseded_in_batch',
    });
  });
  return skipped;
}

/**
 * Drops the records older than the latest `_changedAt` applied for their
 * person, and records the others' values as the latest: one atomic
 * read-modify-write per person (StateStore.update), so of two deliveries of
 * the same person racing in two processes, an older one never passes after a
 * newer one was let through. An equal value passes (a retry: the merge finds
 * it unchanged, and a retry after a failed ingest is not lost). Records
 * without `_changedAt` pass untouched (arrival order).
 */
export async function skipOutOfOrder(
  batch: SourceBatch, order: ReadonlyMap<number, number>, state: StateStore,
): Promise<{ batch: SourceBatch; skipped: SkippedRecord[] }> {
  const ordered = batch.records.filter((r) => order.has(r.line ?? 0));
  const stale = new Map<SourceRecord, SkippedRecord>();
  // A batch has each key once: the people's updates touch different rows and may run side by side (PostgreSQL's pool).
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ordered.length) {
      const record = ordered[next++]!;
      const at = order.get(record.line ?? 0)!;
      let latest: number | undefined;
      await state.update<string>(changedAtKey(batch.sourceId, record.key), (current) => {
        const known = current === undefined ? undefined : Date.parse(current);
        latest = known !== undefined && known > at ? known : undefined;
        return latest === undefined ? iso(at) : current;
      });
      if (latest !== undefined) {
        stale.set(record, { line: record.line ?? 0, key: record.key, changedAt: iso(at), latest: iso(latest), reason: 'out_of_order' });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPDATES_AT_ONCE, ordered.length) }, worker));
  if (stale.size === 0) return { batch, skipped: [] };
  const skipped = [...stale.values()].sort((a, b) => a.line - b.line);
  return { batch: { ...batch, records: batch.records.filter((r) => !stale.has(r)) }, skipped };
}
