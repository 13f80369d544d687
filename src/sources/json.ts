import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import { BatchBuilder, type RecordRules } from './batch.js';
import { checkColumns, JSON_WORDING, type ExpectedColumn } from './columns.js';
import { describeJson, flattenValues, isPlainObject } from './values.js';

export interface JsonOptions extends RecordRules {
  /** The lifecycle columns (columns.ts): one no record has makes the file unreadable. */
  readonly columns?: readonly ExpectedColumn[];
}

/**
 * Parse an HR JSON file: either one JSON array of objects (`line` is the
 * array index + 1) or JSON Lines, one object per line (`line` is the physical
 * line; blank lines are ignored). The same rules as CSV apply: a key, no
 * duplicate keys, ISO dates. Scalar values become strings; a nested object or
 * array in a record is a problem. A JSON array that does not parse throws
 * RosterError('source.malformed'); a JSON Lines line that does not parse is a
 * problem for that line only.
 *
 * A lifecycle column (`columns`) is missing when no record has the field:
 * exports often leave out a field that is null for one person, so one record
 * without it is a person without the value, but a file where none has it
 * (status renamed upstream) must not make everyone active: it throws
 * RosterError('source.malformed') (columns.ts).
 */
export function parseJson(text: string, options: JsonOptions): SourceBatch {
  const builder = new BatchBuilder(options);
  const seen = new SeenFields(options.columns ?? []);
  const body = text.replace(/^\uFEFF/, '');
  // Values are looked at (text.ts) only when the text may hold what they check for: U+FFFD, or an escape (NUL, a lone surrogate).
  const check = body.includes('\uFFFD') || body.includes('\\u');
  if (body.trim() === '') {
    builder.note(1, 'empty file: no records');
  } else if (body.trimStart().startsWith('[')) {
    readArray(body, options.key, builder, check, seen);
  } else {
    readLines(body, options.key, builder, check, seen);
  }
  seen.check(options.columns ?? []);
  return builder.build(true);
}

/** The fields a file's records have, gathered while a lifecycle column is still to be found. */
class SeenFields {
  readonly #names = new Set<string>();
  #pending: readonly string[];
  #records = 0;

  constructor(columns: readonly ExpectedColumn[]) {
    this.#pending = columns.map((c) => c.column);
  }

  note(item: unknown): void {
    if (!isPlainObject(item)) return;
    this.#records += 1;
    if (this.#pending.length === 0) return;
    for (const name of Object.keys(item)) this.#names.add(name);
    this.#pending = this.#pending.filter((column) => !Object.hasOwn(item, column));
  }

  /** A file without records says nothing of its fields (an empty file is held on its own). */
  check(columns: readonly ExpectedColumn[]): void {
    if (this.#records > 0 && this.#pending.length > 0) checkColumns(this.#names, columns, JSON_WORDING);
  }
}

function readArray(body: string, keyField: string, builder: BatchBuilder, check: boolean, seen: SeenFields): void {
  let items: unknown;
  try {
    items = JSON.parse(body);
  } catch (error) {
    throw new RosterError('source.malformed', `JSON cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(items)) throw new RosterError('source.malformed', 'JSON source must be an array of objects');
  items.forEach((item: unknown, index) => {
    seen.note(item);
    addItem(item, index + 1, keyField, builder, check);
  });
}

function readLines(body: string, keyField: string, builder: BatchBuilder, check: boolean, seen: SeenFields): void {
  body.split('\n').forEach((raw, index) => {
    const text = raw.trim();
    if (text === '') return;
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch (error) {
      builder.reject(index + 1, `not valid JSON: ${(error as Error).message}`);
      return;
    }
    seen.note(item);
    addItem(item, index + 1, keyField, builder, check);
  });
}

/** Check one parsed record (shared with the push parser); `checkText`: look at the values' text (flattenValues). */
export function addItem(item: unknown, line: number, keyField: string, builder: BatchBuilder, checkText = true): void {
  if (!isPlainObject(item)) {
    builder.reject(line, `record is ${describeJson(item)}, not an object`);
    return;
  }
  const flat = flattenValues(item, keyField, checkText);
  if (flat.ok) builder.add(line, flat.values);
  else builder.reject(line, flat.message, flat.key);
}
