import { CompiledQuery } from 'kysely';
import type { Db, Dialect } from './context.js';

/** Bound parameters per statement: SQLite allows 32,766, PostgreSQL 65,535. */
const MAX_PARAMETERS: Readonly<Record<Dialect, number>> = { sqlite: 32_766, postgres: 65_535 };

export type BulkValue = string | number | null;

export interface BulkInsert {
  readonly table: string;
  readonly columns: readonly string[];
  /** Conflict target; absent: a plain insert. */
  readonly key?: readonly string[];
  /** On conflict: 'update' replaces every non-key column, 'ignore' keeps the existing row. */
  readonly onConflict?: 'update' | 'ignore';
}

/**
 * Multi-row INSERT in chunks that respect the dialect's parameter limit,
 * bypassing the query builder (its per-value cost dominates at 100,000 rows).
 * Identifiers come from code, never from data, and are quoted anyway; every
 * value is a bound parameter. Call it inside a transaction.
 */
export async function bulkInsert(
  db: Db,
  dialect: Dialect,
  spec: BulkInsert,
  rows: readonly (readonly BulkValue[])[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const width = spec.columns.length;
  const perChunk = Math.max(1, Math.floor(MAX_PARAMETERS[dialect] / width));
  let written = 0;
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const parameters: BulkValue[] = [];
    for (const row of chunk) for (const value of row) parameters.push(value);
    const text = insertText(dialect, spec, chunk.length);
    const result = await db.executeQuery(CompiledQuery.raw(text, parameters));
    written += Number(result.numAffectedRows ?? 0n);
  }
  return written;
}

const textCache = new Map<string, string>();

function insertText(dialect: Dialect, spec: BulkInsert, rowCount: number): string {
  const cacheKey = `${dialect}|${spec.table}|${spec.columns.join(',')}|${spec.key?.join(',') ?? ''}|${spec.onConflict ?? ''}|${rowCount}`;
  const cached = textCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const width = spec.columns.length;
  const tuples: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    const marks: string[] = [];
    for (let col = 0; col < width; col++) marks.push(dialect === 'postgres' ? `$${row * width + col + 1}` : '?');
    tuples.push(`(${marks.join(',')})`);
  }
  const text = `insert into ${quote(spec.table)} (${spec.columns.map(quote).join(',')}) values ${tuples.join(',')}${conflictText(spec)}`;
  if (textCache.size > 64) textCache.clear();
  textCache.set(cacheKey, text);
  return text;
}

function conflictText(spec: BulkInsert): string {
  if (spec.key === undefined || spec.onConflict === undefined) return '';
  const target = `(${spec.key.map(quote).join(',')})`;
  if (spec.onConflict === 'ignore') return ` on conflict ${target} do nothing`;
  const keys = new Set(spec.key);
  const sets = spec.columns.filter((c) => !keys.has(c)).map((c) => `${quote(c)} = excluded.${quote(c)}`);
  return ` on conflict ${target} do update set ${sets.join(', ')}`;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
