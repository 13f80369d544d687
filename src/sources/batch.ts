import type { SourceBatch, SourceProblem, SourceRecord } from '../core/types.js';
import { isIsoDate } from './dates.js';

/** Options every parser shares: which column is the key, which hold dates. */
export interface RecordRules {
  readonly sourceId: string;
  readonly key: string;
  readonly dateFields?: readonly string[];
}

/**
 * Collects the rows of one input into a SourceBatch, applying the rules every
 * source format shares: a row needs a non-empty key, a key appears once (the
 * later row is the problem), and date fields hold ISO dates. A bad row is
 * skipped and reported as a SourceProblem; it still counts in `rowsRead`.
 *
 * Values are strings, trimmed. An empty value is kept as "" (never omitted),
 * so every column of a file is present on every record it yields.
 */
export class BatchBuilder {
  readonly #rules: RecordRules;
  readonly #dateFields: readonly string[];
  readonly #records: SourceRecord[] = [];
  readonly #problems: SourceProblem[] = [];
  readonly #firstLine = new Map<string, number>();
  /** Date values already found to be ISO dates: HR files repeat the same few thousand dates. */
  readonly #isoDates = new Set<string>();
  #rowsRead = 0;

  constructor(rules: RecordRules) {
    this.#rules = rules;
    this.#dateFields = rules.dateFields ?? [];
  }

  /** A problem with the input as a whole (an empty file): no row is counted. */
  note(line: number, message: string): void {
    this.#problems.push({ line, message });
  }

  /** A row that could not be read at all (wrong column count, not an object, ...). */
  reject(line: number, message: string, key?: string, entry?: string): void {
    this.#rowsRead += 1;
    const problem: SourceProblem = key ? { line, key, message } : { line, message };
    this.#problems.push(entry === undefined ? problem : { ...problem, entry });
  }

  /** A readable row: checked, then kept as a record or reported. `entry`: the directory entry it was read from (SourceRecord.entry). */
  add(line: number, values: Readonly<Record<string, string>>, entry?: string): void {
    this.#rowsRead += 1;
    const key = values[this.#rules.key] ?? '';
    if (key === '') {
      this.#problems.push({ line, message: `missing key: column "${this.#rules.key}" is empty` });
      return;
    }
    const first = this.#firstLine.get(key);
    if (first !== undefined) {
      this.#problems.push({ line, key, message: `duplicate key "${key}" on line ${line}: first seen on line ${first}` });
      return;
    }
    for (const field of this.#dateFields) {
      const value = values[field];
      if (value === undefined || value === '' || this.#isoDates.has(value)) continue;
      if (!isIsoDate(value)) {
        this.#problems.push({
          line, key,
          message: `column "${field}" is not an ISO date (YYYY-MM-DD or date-time): "${value}"`,
          ...(entry === undefined ? {} : { entry }),
        });
        return;
      }
      this.#isoDates.add(value);
    }
    this.#firstLine.set(key, line);
    this.#records.push(entry === undefined ? { key, attributes: values, line } : { key, attributes: values, line, entry });
  }

  build(complete: boolean): SourceBatch {
    return {
      sourceId: this.#rules.sourceId,
      records: this.#records,
      problems: this.#problems,
      complete,
      rowsRead: this.#rowsRead,
    };
  }
}
