import { readFile } from 'node:fs/promises';
import type { SourceConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import type { SourceBatch } from '../core/types.js';
import { expectedColumns } from './columns.js';
import { parseCsv } from './csv.js';
import { parseJson } from './json.js';

/**
 * Read a file source (csv or json) as its configuration says. The start and
 * end date fields are checked as dates; a file without a lifecycle column
 * its `fields` name is refused (columns.ts). `complete` comes from the source's
 * configuration (true unless it said otherwise).
 */
export async function readFileSource(source: SourceConfig): Promise<SourceBatch> {
  if (source.type === 'push' || !source.path) {
    throw new RosterError('config.invalid', `source "${source.id}" has no file to read (type ${source.type})`);
  }
  // CSV is split from the bytes (each field decoded on its own, as csv-parse does); JSON needs the text.
  const bytes = await readBytes(source.id, source.path);
  const rules = {
    sourceId: source.id,
    key: source.key,
    dateFields: [source.fields.startDate, source.fields.endDate],
    // A lifecycle column missing from the file (renamed upstream) makes it unreadable, not everyone active.
    columns: expectedColumns(source),
  };
  const batch = source.type === 'csv'
    ? parseCsv(bytes, { ...rules, delimiter: source.delimiter })
    : parseJson(bytes.toString('utf8'), rules);
  return { ...batch, complete: source.complete };
}

async function readBytes(sourceId: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RosterError('source.unavailable', `source "${sourceId}": cannot read ${path} (${code ?? 'error'})`, {
      cause: error, retryable: code !== 'ENOENT' && code !== 'EISDIR',
    });
  }
}
