import { once } from 'node:events';
import type { AuditEntry } from '../core/types.js';
import type { Store } from '../store/types.js';

export type AuditExportFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = [
  'seq', 'at', 'kind', 'actor', 'identity', 'target', 'reasons', 'before', 'after', 'data', 'prevHash', 'hash',
] as const satisfies readonly (keyof AuditEntry)[];

const JSON_COLUMNS: ReadonlySet<string> = new Set(['reasons', 'before', 'after', 'data']);

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF (or leading/trailing space). */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function cell(entry: AuditEntry, column: (typeof CSV_COLUMNS)[number]): string {
  const value = entry[column];
  if (value === undefined || value === null) return '';
  if (JSON_COLUMNS.has(column)) return JSON.stringify(value);
  return String(value);
}

export function csvRow(entry: AuditEntry): string {
  return CSV_COLUMNS.map((column) => csvField(cell(entry, column))).join(',') + '\r\n';
}

async function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Streams the whole audit log in seq order, one entry at a time (never the
 * whole log in memory), honouring back-pressure. The stream is not ended.
 * CSV: a header row, RFC 4180 quoting, JSON-valued columns as JSON text.
 */
export async function exportAudit(store: Store, format: AuditExportFormat, out: NodeJS.WritableStream): Promise<number> {
  let count = 0;
  if (format === 'csv') await write(out, CSV_COLUMNS.join(',') + '\r\n');
  for await (const entry of store.audit.iterate()) {
    await write(out, format === 'csv' ? csvRow(entry) : JSON.stringify(entry) + '\n');
    count += 1;
  }
  return count;
}
