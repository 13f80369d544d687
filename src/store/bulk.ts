import { CompiledQuery } from 'kysely';
import type { Db, StoreContext } from './context.js';

export type BulkValue = string | number | null;

export interface BulkInsert {
  readonly table: string;
  readonly columns: readonly string[];
  /** Non-text columns (PostgreSQL needs the array type to unnest); text otherwise. */
  readonly types?: Readonly<Record<string, 'integer' | 'bigint'>>;
  /** Conflict target; absent: a plain insert. */
  readonly key?: readonly string[];
  /** On conflict: 'update' replaces every non-key column, 'ignore' keeps the existing row. */
  readonly onConflict?: 'update' | 'ignore';
}

/** The one thing the SQLite fast path needs from better-sqlite3 (Kysely's habit: declare, don't import). */
export interface SqliteStatements {
  prepare(sql: string): { run(...parameters: unknown[]): { readonly changes: number } };
}

/** Rows per PostgreSQL statement: one array parameter per column, whatever the row count. */
const PG_ROWS_PER_STATEMENT = 10_000;

/**
 * Inserts many rows inside the caller's write transaction, bypassing the
 * query builder (its per-value cost dominates at 100,000 rows):
 * SQLite runs one prepared statement per row on the transaction's connection;
 * PostgreSQL sends one column array per parameter and unnests them.
 * Identifiers come from code and are quoted; every value is a bound parameter.
 */
export async function bulkInsert(ctx: StoreContext, trx: Db, spec: BulkInsert, rows: readonly (readonly BulkValue[])[]): Promise<number> {
  if (rows.length === 0) return 0;
  if (ctx.sqlite !== undefined) return sqliteInsert(ctx.sqlite, spec, rows);
  let written = 0;
  for (let start = 0; start < rows.length; start += PG_ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + PG_ROWS_PER_STATEMENT);
    const columns = spec.columns.map((_, col) => arrayLiteral(chunk, col));
    const result = await trx.executeQuery(CompiledQuery.raw(postgresText(spec), columns));
    written += Number(result.numAffectedRows ?? 0n);
  }
  return written;
}

/**
 * A PostgreSQL array literal for one column, passed as one text parameter
 * (pg's own array serialisation takes seconds for 300,000 values). Elements
 * are always double-quoted with backslash and quote escaped; NULL unquoted.
 */
function arrayLiteral(rows: readonly (readonly BulkValue[])[], col: number): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]![col] ?? null;
    if (value === null) parts[i] = 'NULL';
    else if (typeof value === 'number') parts[i] = String(value);
    else parts[i] = `"${value.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `{${parts.join(',')}}`;
}

/**
 * Safe only while the caller holds the connection in a write transaction
 * (ctx.write): better-sqlite3 is synchronous and this is that connection.
 */
function sqliteInsert(database: SqliteStatements, spec: BulkInsert, rows: readonly (readonly BulkValue[])[]): number {
  const marks = spec.columns.map(() => '?').join(',');
  const statement = database.prepare(`insert into ${quote(spec.table)} (${spec.columns.map(quote).join(',')}) values (${marks})${conflictText(spec)}`);
  let written = 0;
  for (const row of rows) written += statement.run(...row).changes;
  return written;
}

function postgresText(spec: BulkInsert): string {
  const arrays = spec.columns.map((column, i) => `$${i + 1}::${spec.types?.[column] ?? 'text'}[]`);
  return `insert into ${quote(spec.table)} (${spec.columns.map(quote).join(',')}) select * from unnest(${arrays.join(', ')})${conflictText(spec)}`;
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
