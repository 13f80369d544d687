import type { LifecycleConfig, SourceConfig } from '../config/types.js';
import type { Attributes } from '../core/types.js';
import { parseSourceDate } from './dates.js';
import { classifyStatus, type StatusClass } from './state.js';

/** The lifecycle meaning of one source record. */
export interface RecordDates {
  readonly status: StatusClass;
  readonly startAt: number | undefined;
  /** Undefined when the end date is not after the start (it belonged to an earlier employment: a rehire). */
  readonly endAt: number | undefined;
}

/** Reads status, start and end from a record's columns; throws RosterError('source.malformed') on a bad date. */
export function readRecordDates(attributes: Attributes, source: SourceConfig, lifecycle: LifecycleConfig): RecordDates {
  const startAt = parseSourceDate(attributes[source.fields.startDate], lifecycle.timezone, 'start');
  let endAt = parseSourceDate(attributes[source.fields.endDate], lifecycle.timezone, 'end');
  if (startAt !== undefined && endAt !== undefined && endAt <= startAt) endAt = undefined;
  return { status: classifyStatus(attributes[source.fields.status], lifecycle), startAt, endAt };
}

/** Contractors lose access at their contract end: the reason code says so. */
export function isContractor(attributes: Attributes, source: SourceConfig): boolean {
  const type = attributes[source.fields.employmentType];
  return typeof type === 'string' && /contract/i.test(type);
}

/** Same attributes, compared exactly (values of other kinds than primitives by JSON). */
export function sameAttributes(a: Attributes, b: Attributes): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !sameValue(a[key], b[key])) return false;
  }
  return true;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function isoOrUndefined(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
