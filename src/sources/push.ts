import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import { BatchBuilder, type RecordRules } from './batch.js';
import { addItem } from './json.js';
import { describeJson, isPlainObject } from './values.js';

/** Largest number of records one push body may carry. */
export const MAX_PUSH_RECORDS = 10_000;

export interface PushOptions extends RecordRules {
  /** The time a `terminate` without an end date takes effect. */
  readonly now: Date;
  /** Column set to "terminated" by a `terminate` action (the source's status field). */
  readonly statusField: string;
  /** Column set to the end date by a `terminate` action. */
  readonly endDateField: string;
}

/** The status a `terminate` action writes. */
export const TERMINATED_STATUS = 'terminated';

/**
 * Parse the body an HR system POSTs to /api/v1/sources/{id}/records:
 * `{ "records": [ { ...attributes, "_action"?: "upsert" | "terminate" } ] }`.
 * `upsert` (the default) carries the person's attributes; `terminate` needs
 * only the key (and optionally the end date) and yields a record whose status
 * is "terminated" and whose end date is the given one or `now`. The batch is
 * never complete: people absent from a push are not leavers.
 *
 * A body that is not of that shape throws RosterError('request.invalid');
 * problems with single records are SourceProblems (line = index + 1).
 */
export function parsePushBody(body: unknown, options: PushOptions): SourceBatch {
  const records = readRecords(body);
  const builder = new BatchBuilder(options);
  records.forEach((item, index) => {
    const line = index + 1;
    const prepared = applyAction(item, options);
    if (typeof prepared === 'string') builder.reject(line, prepared, keyOf(item, options.key));
    else addItem(prepared, line, options.key, builder);
  });
  return builder.build(false);
}

function readRecords(body: unknown): readonly Record<string, unknown>[] {
  if (!isPlainObject(body)) {
    throw new RosterError('request.invalid', `push body must be a JSON object with a "records" array, got ${describeJson(body)}`);
  }
  const records = body.records;
  if (!Array.isArray(records)) {
    throw new RosterError('request.invalid', 'push body must have a "records" array');
  }
  if (records.length > MAX_PUSH_RECORDS) {
    throw new RosterError('request.invalid', `push body has ${records.length} records; at most ${MAX_PUSH_RECORDS} are accepted per request`);
  }
  records.forEach((item: unknown, index) => {
    if (!isPlainObject(item)) {
      throw new RosterError('request.invalid', `records[${index}] is ${describeJson(item)}, not an object`);
    }
  });
  return records as Record<string, unknown>[];
}

/** The record to check, without `_action`; or a message when the action is unknown. */
function applyAction(item: Readonly<Record<string, unknown>>, options: PushOptions): Record<string, unknown> | string {
  const { _action: action = 'upsert', ...attributes } = item;
  if (action === 'upsert') return attributes;
  if (action !== 'terminate') {
    return `unknown _action ${JSON.stringify(action)}: expected "upsert" or "terminate"`;
  }
  const endDate = attributes[options.endDateField];
  const given = typeof endDate === 'string' && endDate.trim() !== '';
  return {
    ...attributes,
    [options.statusField]: TERMINATED_STATUS,
    [options.endDateField]: given ? endDate : options.now.toISOString(),
  };
}

function keyOf(item: Readonly<Record<string, unknown>>, keyField: string): string | undefined {
  const key = item[keyField];
  return typeof key === 'string' && key.trim() !== '' ? key.trim() : undefined;
}
