import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import { BatchBuilder, type RecordRules } from './batch.js';
import { checkColumns, CSV_WORDING, type ExpectedColumn } from './columns.js';
import { splitCsv } from './csv-split.js';
import { textProblem } from './text.js';

export interface CsvOptions extends RecordRules {
  /** Field delimiter, default ','. */
  readonly delimiter?: string;
  /** The lifecycle columns (columns.ts): one missing from the header makes the file unreadable. */
  readonly columns?: readonly ExpectedColumn[];
}

/** U+FFFD in UTF-8: what a byte that is not UTF-8 is decoded as. */
const REPLACEMENT = Buffer.from('\uFFFD');

/**
 * Parse an HR CSV file. The header row names the columns; a UTF-8 BOM is
 * dropped; quoted fields may hold delimiters and line breaks; CRLF and LF both
 * work. A row with the wrong number of columns, no key, a duplicate key or a
 * bad date is reported with its physical line (header = line 1) and skipped,
 * and so is a row holding bytes that are not UTF-8 (decoded as U+FFFD: a file
 * saved in another encoding must not rename people) or NUL (text.ts); in the
 * header they make the file unreadable, and so does a header without the
 * key column or a lifecycle column (`columns`, columns.ts). Blank lines, and
 * rows whose every cell is empty, are ignored and not counted. Broken quoting that makes the
 * rest of the file unreadable throws RosterError('source.malformed').
 * `input` is the file's text or its bytes (UTF-8, as read from disk).
 */
export function parseCsv(input: string | Buffer, options: CsvOptions): SourceBatch {
  const delimiter = options.delimiter ?? ',';
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  // Cells are looked at (text.ts) only when the file may hold what they check for: bytes that are not UTF-8, U+FFFD or NUL.
  const suspect = !isUtf8(bytes) || bytes.includes(REPLACEMENT) || bytes.includes(0);
  // Regular CSV: the fast splitter hands over each row as it finds it.
  const fast = new CsvRecords(options, suspect);
  if (splitCsv(bytes, delimiter, (row) => fast.add(row))) return fast.finish();
  // Anything else: csv-parse reads it all (or says why it cannot), from the start again.
  const rows = parseRows(typeof input === 'string' ? input : input.toString('utf8'), delimiter);
  const slow = new CsvRecords(options, suspect);
  for (const row of rows) slow.add(row);
  return slow.finish();
}

/** Turns CSV rows, header first, into a SourceBatch. */
class CsvRecords {
  readonly #key: string;
  readonly #columnsExpected: readonly ExpectedColumn[];
  readonly #builder: BatchBuilder;
  /** The file may hold text a value must not carry (text.ts): each row's cells are checked. */
  readonly #suspect: boolean;
  #columns: string[] | undefined;
  #keyIndex = -1;
  /** Every record's object starts as a copy of this one (recordShape). */
  #shape: Readonly<Record<string, string>> | undefined;
  // Physical lines: a row starts one line after the previous one ended; the
  // line breaks inside its quoted fields move the count on. Blank lines come
  // back as rows of one empty field: counted as lines, otherwise ignored.
  #line = 1;
  /** A bad header, thrown by finish(): only once the whole file has been read, so a file csv-parse cannot read says so first. */
  #headerError: unknown;

  constructor(options: CsvOptions, suspect: boolean) {
    this.#key = options.key;
    this.#columnsExpected = options.columns ?? [];
    this.#builder = new BatchBuilder(options);
    this.#suspect = suspect;
  }

  add(row: readonly string[]): void {
    const start = this.#line;
    this.#line += 1 + lineBreaksIn(row);
    if (this.#headerError !== undefined || isBlank(row)) return;
    const columns = this.#columns;
    if (columns === undefined) {
      try {
        this.#columns = readHeader(row, this.#key, this.#columnsExpected);
      } catch (error) {
        this.#headerError = error;
        return;
      }
      this.#keyIndex = this.#columns.indexOf(this.#key);
      this.#shape = recordShape(this.#columns);
      return;
    }
    if (row.length !== columns.length) {
      this.#builder.reject(start, `expected ${columns.length} columns, found ${row.length}`, row[this.#keyIndex]?.trim() || undefined);
      return;
    }
    const values: Record<string, string> = this.#shape === undefined ? {} : { ...this.#shape };
    for (let index = 0; index < columns.length; index += 1) values[columns[index]!] = row[index]!.trim();
    if (this.#suspect && this.#rejectedText(start, row, columns)) return;
    this.#builder.add(start, values);
  }

  /** Reports the row when a cell holds text a value must not carry (text.ts); a key like that cannot be read. */
  #rejectedText(line: number, row: readonly string[], columns: readonly string[]): boolean {
    for (let index = 0; index < row.length; index += 1) {
      const problem = textProblem(row[index]!);
      if (problem === undefined) continue;
      const key = row[this.#keyIndex]!.trim();
      const readable = index !== this.#keyIndex && key !== '' && textProblem(key) === undefined;
      // No value in the message: any column may hold something private, and problems reach the audit log.
      this.#builder.reject(line, `column "${columns[index]!}" ${problem}`, readable ? key : undefined);
      return true;
    }
    return false;
  }

  finish(): SourceBatch {
    if (this.#headerError !== undefined) throw this.#headerError;
    if (this.#columns === undefined) this.#builder.note(1, 'empty file: no header row');
    return this.#builder.build(true);
  }
}

/**
 * An object with every column, in order, each ''. A record built by adding
 * the columns one by one to `{}` turns into a slow dictionary past about 20
 * columns (V8 gives up on adding that many properties by computed name), and
 * everything that reads it later (JSON, the merge, the mappings) is slower;
 * a copy of an object that has them all already keeps its fast shape, and
 * the columns are then only overwritten. JSON.parse builds that object with
 * its fast shape (up to some hundred columns). Column names an object does
 * not keep as named, in order (`__proto__`, which `{}` takes as its
 * prototype and drops; a name that is an array index, kept first) leave
 * the records built as before: undefined.
 */
function recordShape(columns: readonly string[]): Readonly<Record<string, string>> | undefined {
  if (columns.some((name) => name === '__proto__' || /^[0-9]/.test(name))) return undefined;
  const empty: Record<string, string> = {};
  for (const name of columns) empty[name] = '';
  return JSON.parse(JSON.stringify(empty)) as Record<string, string>;
}

/** A blank line, or a row of empty cells (spreadsheets write `,,,` under a formatted table): nothing in it. */
function isBlank(row: readonly string[]): boolean {
  for (let index = 0; index < row.length; index += 1) {
    const cell = row[index]!;
    if (cell !== '' && cell.trim() !== '') return false;
  }
  return true;
}

function lineBreaksIn(row: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < row.length; index += 1) {
    const cell = row[index]!;
    for (let at = cell.indexOf('\n'); at !== -1; at = cell.indexOf('\n', at + 1)) count += 1;
  }
  return count;
}

/**
 * Every row, read by csv-parse. It gets the decoded text, as it always has:
 * it encodes it back to UTF-8 itself, so bytes that are not UTF-8 reach it as
 * U+FFFD, never as a byte order mark of another encoding it would switch to.
 */
function parseRows(text: string, delimiter: string): string[][] {
  try {
    // Blank lines are kept (as rows of one empty field) so line numbers can be counted.
    return parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: false });
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    const where = typeof line === 'number' ? ` near line ${line}` : '';
    throw new RosterError('source.malformed', `CSV cannot be read${where}: ${(error as Error).message}`, {
      cause: error, details: typeof line === 'number' ? { line } : undefined,
    });
  }
}

function readHeader(record: readonly string[], key: string, expected: readonly ExpectedColumn[]): string[] {
  const columns = record.map((name) => name.trim());
  const seen = new Set<string>();
  columns.forEach((name, index) => {
    if (name === '') throw new RosterError('source.malformed', `CSV header: column ${index + 1} has no name`);
    const problem = textProblem(name);
    if (problem !== undefined) throw new RosterError('source.malformed', `CSV header: column ${index + 1} ${problem} (save the file as UTF-8)`);
    if (seen.has(name)) throw new RosterError('source.malformed', `CSV header: column "${name}" appears twice`);
    seen.add(name);
  });
  if (!seen.has(key)) {
    throw new RosterError('source.malformed', `CSV header has no key column "${key}" (columns: ${columns.join(', ')})`);
  }
  checkColumns(seen, expected, CSV_WORDING);
  return columns;
}
