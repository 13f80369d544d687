import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import { BatchBuilder, type RecordRules } from './batch.js';
import { describeJson, flattenValues, isPlainObject } from './values.js';

/**
 * Parse an HR JSON file: either one JSON array of objects (`line` is the
 * array index + 1) or JSON Lines, one object per line (`line` is the physical
 * line; blank lines are ignored). The same rules as CSV apply: a key, no
 * duplicate keys, ISO dates. Scalar values become strings; a nested object or
 * array in a record is a problem. A JSON array that does not parse throws
 * RosterError('source.malformed'); a JSON Lines line that does not parse is a
 * problem for that line only.
 */
export function parseJson(text: string, options: RecordRules): SourceBatch {
  const builder = new BatchBuilder(options);
  const body = text.replace(/^\uFEFF/, '');
  // Values are looked at (text.ts) only when the text may hold what they check for: U+FFFD, or an escape (NUL, a lone surrogate).
  const check = body.includes('\uFFFD') || body.includes('\\u');
  if (body.trim() === '') {
    builder.note(1, 'empty file: no records');
  } else if (body.trimStart().startsWith('[')) {
    readArray(body, options.key, builder, check);
  } else {
    readLines(body, options.key, builder, check);
  }
  return builder.build(true);
}

function readArray(body: string, keyField: string, builder: BatchBuilder, check: boolean): void {
  let items: unknown;
  try {
    items = JSON.parse(body);
  } catch (error) {
    throw new RosterError('source.malformed', `JSON cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(items)) throw new RosterError('source.malformed', 'JSON source must be an array of objects');
  items.forEach((item: unknown, index) => addItem(item, index + 1, keyField, builder, check));
}

function readLines(body: string, keyField: string, builder: BatchBuilder, check: boolean): void {
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
