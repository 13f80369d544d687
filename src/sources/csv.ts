import { parse } from 'csv-parse/sync';
import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import { BatchBuilder, type RecordRules } from './batch.js';
import { lineLocator } from './lines.js';

export interface CsvOptions extends RecordRules {
  /** Field delimiter, default ','. */
  readonly delimiter?: string;
}

interface ParsedRow {
  readonly record: string[];
  readonly info: { readonly bytes: number };
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
  const buffer = Buffer.from(text, 'utf8');
  const rows = parseRows(buffer, options.delimiter ?? ',');
  const [header, ...data] = rows;
  if (!header) {
    builder.note(1, 'empty file: no header row');
    return builder.build(true);
  }
  const columns = readHeader(header.record, options.key);
  const lineAt = lineLocator(buffer);
  const keyIndex = columns.indexOf(options.key);
  let offset = header.info.bytes;
  for (const row of data) {
    const line = lineAt(offset);
    offset = row.info.bytes;
    const cells = row.record.map((cell) => cell.trim());
    if (cells.length !== columns.length) {
      const key = cells[keyIndex] || undefined;
      builder.reject(line, `expected ${columns.length} columns, found ${cells.length}`, key);
      continue;
    }
    const values: Record<string, string> = {};
    columns.forEach((column, index) => { values[column] = cells[index] ?? ''; });
    builder.add(line, values);
  }
  return builder.build(true);
}

function parseRows(buffer: Buffer, delimiter: string): ParsedRow[] {
  try {
    return parse(buffer, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as ParsedRow[]; // with info: true csv-parse returns { record, info } objects; its typings say string[][]
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
