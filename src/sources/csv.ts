import { parse } from 'csv-parse/sync';
import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import { BatchBuilder, type RecordRules } from './batch.js';

export interface CsvOptions extends RecordRules {
  /** Field delimiter, default ','. */
  readonly delimiter?: string;
}


/**
 * Parse an HR CSV file. The header row names the columns; a UTF-8 BOM is
 * dropped; quoted fields may hold delimiters and line breaks; CRLF and LF both
 * work. A row with the wrong number of columns, no key, a duplicate key or a
 * bad date is reported with its physical line (header = line 1) and skipped.
 * Blank lines are ignored and not counted. Broken quoting that makes the rest
 * of the file unreadable throws RosterError('source.malformed').
 */
export function parseCsv(text: string, options: CsvOptions): SourceBatch {
  const builder = new BatchBuilder(options);
  const rows = parseRows(text, options.delimiter ?? ',');
  let columns: string[] | undefined;
  let keyIndex = -1;
  // Physical lines: a row starts one line after the previous one ended; the
  // line breaks inside its quoted fields move the count on. Blank lines come
  // back as rows of one empty field: counted as lines, otherwise ignored.
  let line = 1;
  for (const row of rows) {
    const start = line;
    line += 1 + lineBreaksIn(row);
    if (isBlank(row)) continue;
    if (columns === undefined) {
      columns = readHeader(row, options.key);
      keyIndex = columns.indexOf(options.key);
      continue;
    }
    const cells = row.map((cell) => cell.trim());
    if (cells.length !== columns.length) {
      builder.reject(start, `expected ${columns.length} columns, found ${cells.length}`, cells[keyIndex] || undefined);
      continue;
    }
    const values: Record<string, string> = {};
    for (let index = 0; index < columns.length; index += 1) values[columns[index]!] = cells[index]!;
    builder.add(start, values);
  }
  if (columns === undefined) builder.note(1, 'empty file: no header row');
  return builder.build(true);
}

function isBlank(row: readonly string[]): boolean {
  return row.length === 1 && row[0] === '';
}

function lineBreaksIn(row: readonly string[]): number {
  let count = 0;
  for (const cell of row) {
    for (let at = cell.indexOf('\n'); at !== -1; at = cell.indexOf('\n', at + 1)) count += 1;
  }
  return count;
}

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

function readHeader(record: readonly string[], key: string): string[] {
  const columns = record.map((name) => name.trim());
  const seen = new Set<string>();
  columns.forEach((name, index) => {
    if (name === '') throw new RosterError('source.malformed', `CSV header: column ${index + 1} has no name`);
    if (seen.has(name)) throw new RosterError('source.malformed', `CSV header: column "${name}" appears twice`);
    seen.add(name);
  });
  if (!seen.has(key)) {
    throw new RosterError('source.malformed', `CSV header has no key column "${key}" (columns: ${columns.join(', ')})`);
  }
  return columns;
}
