import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AuditEntry, UnreadableAuditEntry } from '../core/types.js';
import type { Store } from '../store/types.js';
import { unreadableEntryIn } from './chain.js';
import { csvHeader, csvRow, csvUnreadableRow } from './csv.js';

export { CSV_COLUMNS, UNREADABLE_COLUMN, csvField, csvRow, neutraliseFormula } from './csv.js';

export type AuditExportFormat = 'jsonl' | 'csv';

/** An entry the store could not read back (a JSON column edited into text that is not JSON), as exported in its place. */
export type UnreadableEntry = UnreadableAuditEntry;

export interface AuditExportOptions {
  /**
   * Export every readable entry and, in the place of an unreadable one, a
   * marker saying which seq could not be read and why. Without it the
   * export stops at the first unreadable entry with an error naming it.
   */
  readonly skipUnreadable?: boolean;
  /** Told of each marker as it is written. */
  readonly onUnreadable?: (entry: UnreadableEntry) => void;
}

export interface AuditExportResult {
  /** Entries written. */
  readonly entries: number;
  /** Markers written for unreadable entries (0 unless skipUnreadable). */
  readonly unreadable: number;
}

const BATCH = 1000;

/**
 * The entries after `after` and before `seq`, the first unreadable entry
 * of a batch (so all of them are readable). In one query when seq has no
 * gap before it; one entry at a time when it has (the query then reaches
 * `seq` again).
 */
async function* readableBefore(store: Store, after: number, seq: number): AsyncGenerator<AuditEntry> {
  const most = Math.min(seq - after - 1, BATCH);
  if (most <= 0) return;
  try {
    yield* await store.audit.list({ afterSeq: after, limit: most });
    return;
  } catch (error) {
    if (unreadableEntryIn(error)?.seq !== seq) throw error;
  }
  for (let from = after; ;) {
    let next: AuditEntry | undefined;
    try {
      [next] = await store.audit.list({ afterSeq: from, limit: 1 });
    } catch (error) {
      if (unreadableEntryIn(error)?.seq === seq) return;
      throw error;
    }
    if (next === undefined || next.seq >= seq) return;
    yield next;
    from = next.seq;
  }
}

/**
 * The log in seq order, a batch at a time (never the whole log in memory).
 * An unreadable entry is yielded as an UnreadableEntry when `skip`, after
 * the entries before it; otherwise those entries are yielded and the
 * store's error, naming it, is thrown.
 */
async function* readLog(store: Store, skip: boolean): AsyncGenerator<AuditEntry | UnreadableEntry> {
  for (let after = 0; ;) {
    let batch: AuditEntry[];
    try {
      batch = await store.audit.list({ afterSeq: after, limit: BATCH });
    } catch (error) {
      const bad = unreadableEntryIn(error);
      if (bad === undefined) throw error;
      yield* readableBefore(store, after, bad.seq);
      if (!skip) throw error;
      yield bad;
      after = bad.seq;
      continue;
    }
    yield* batch;
    const last = batch.at(-1);
    if (last === undefined || batch.length < BATCH) return;
    after = last.seq;
  }
}

function isUnreadable(item: AuditEntry | UnreadableEntry): item is UnreadableEntry {
  return 'unreadable' in item;
}

/** The export as text chunks (a header, then a line per entry or marker), counting into `counts`. */
async function* exportLines(store: Store, format: AuditExportFormat, options: AuditExportOptions, counts: { entries: number; unreadable: number }): AsyncGenerator<string> {
  const skip = options.skipUnreadable === true;
  if (format === 'csv') yield csvHeader(skip);
  for await (const item of readLog(store, skip)) {
    if (isUnreadable(item)) {
      counts.unreadable += 1;
      options.onUnreadable?.(item);
      yield format === 'csv' ? csvUnreadableRow(item.seq, item.unreadable) : JSON.stringify({ seq: item.seq, unreadable: item.unreadable }) + '\n';
    } else {
      counts.entries += 1;
      yield format === 'csv' ? csvRow(item, skip) : JSON.stringify(item) + '\n';
    }
  }
}

async function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Streams the whole audit log in seq order, one entry at a time (never the
 * whole log in memory), honouring back-pressure. The stream is not ended.
 * CSV: a header row, RFC 4180 quoting, JSON-valued columns as JSON text,
 * cells a spreadsheet would run as formulas neutralised (csv.ts).
 */
export async function exportAudit(store: Store, format: AuditExportFormat, out: NodeJS.WritableStream, options: AuditExportOptions = {}): Promise<AuditExportResult> {
  const counts = { entries: 0, unreadable: 0 };
  for await (const chunk of exportLines(store, format, options, counts)) await write(out, chunk);
  return counts;
}

const FILE_CHUNK = 64 * 1024;

/**
 * Exports into `file`, all or nothing: written to a new temporary file in
 * the same directory (`.<name>.<random>.tmp`, created exclusively), synced,
 * then renamed over `file` (readable by its owner only). On any failure the temporary file is removed,
 * `file` is left as it was, and the error is thrown.
 */
export async function exportAuditToFile(store: Store, format: AuditExportFormat, file: string, options: AuditExportOptions = {}): Promise<AuditExportResult> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  // Owner-only (0600): the log holds personal data from HR.
  const handle = await open(temp, 'wx', 0o600);
  let closed = false;
  try {
    const counts = { entries: 0, unreadable: 0 };
    let pending: string[] = [];
    let size = 0;
    for await (const chunk of exportLines(store, format, options, counts)) {
      pending.push(chunk);
      size += chunk.length;
      if (size < FILE_CHUNK) continue;
      await handle.writeFile(pending.join(''), 'utf8');
      pending = [];
      size = 0;
    }
    if (pending.length > 0) await handle.writeFile(pending.join(''), 'utf8');
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(temp, file);
    return counts;
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined); // the export's error is the one to report
    throw error;
  }
}
