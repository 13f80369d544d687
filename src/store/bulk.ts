import { CompiledQuery } from 'kysely';
import { RosterError } from '../core/errors.js';
import type { Db, StoreContext } from './context.js';
import type { SqliteConnection } from './sqlite-statements.js';
import { isStorableText } from '../core/text.js';

export type BulkValue = string | number | null;

export interface BulkInsert {
  readonly table: string;
  readonly columns: readonly string[];
  /** Non-text columns (PostgreSQL needs the type to read the JSON record); text otherwise. */
  readonly types?: Readonly<Record<string, 'integer' | 'bigint'>>;
  /** Conflict target; absent: a plain insert. */
  readonly key?: readonly string[];
  /** On conflict: 'update' replaces every non-key column, 'ignore' keeps the existing row. */
  readonly onConflict?: 'update' | 'ignore';
  /**
   * Columns whose values are JSON.stringify's output (or null): such text
   * holds no U+0000 and no lone surrogate (JSON escapes both), so it is not
   * scanned for them. The long values of a row (a change, an audit entry's
   * states) are these; scanning them cost more than the rest of the check.
   */
  readonly json?: readonly string[];
}

/** Rows per PostgreSQL statement (one JSON parameter, whatever the row count). */
const PG_ROWS_PER_STATEMENT = 10_000;

/**
 * A spec with its statement texts built once and its shape fixed (one class
 * for every table): kept per spec object, so the insert paths build no SQL
 * text per call, and their optimised code sees one kind of object whatever
 * the table, instead of being thrown away and compiled again for each new
 * spec shape it met (a quarter of the JIT's work in a 10,000-change apply).
 */
class CompiledInsert {
  readonly table: string;
  readonly columns: readonly string[];
  /** Per column: whether it holds JSON text (BulkInsert.json), not scanned. */
  readonly json: readonly boolean[];
  readonly postgres: string;
  /** SQLite's text for a chunk of n rows, at [n]; built when first needed. */
  readonly #sqlite: string[] = [];
  readonly #head: string;
  readonly #row: string;
  readonly #conflict: string;

  constructor(spec: BulkInsert) {
    this.table = spec.table;
    this.columns = [...spec.columns];
    this.json = spec.columns.map((column) => spec.json?.includes(column) === true);
    this.#conflict = conflictText(spec);
    this.#head = `insert into ${quote(spec.table)} (${spec.columns.map(quote).join(',')}) values `;
    this.#row = `(${spec.columns.map(() => '?').join(',')})`;
    this.postgres = postgresText(spec, this.#conflict);
  }

  sqlite(count: number): string {
    return this.#sqlite[count] ??= `${this.#head}${Array.from({ length: count }, () => this.#row).join(',')}${this.#conflict}`;
  }
}

const compiledInserts = new WeakMap<BulkInsert, CompiledInsert>();

function compiled(spec: BulkInsert): CompiledInsert {
  let found = compiledInserts.get(spec);
  if (found === undefined) {
    found = new CompiledInsert(spec);
    compiledInserts.set(spec, found);
  }
  return found;
}

/**
 * Inserts many rows inside the caller's write transaction, bypassing the
 * query builder (its per-value cost dominates at 100,000 rows):
 * SQLite runs one prepared statement per row on the transaction's connection;
 * PostgreSQL gets each chunk as one JSON parameter and expands it with
 * json_to_recordset (pg's own array serialisation is far slower).
 * Identifiers come from code and are quoted; every value is a bound parameter.
 * Give the same spec object for every call of a kind (a module constant):
 * its statement texts are built once per spec object.
 */
export async function bulkInsert(ctx: StoreContext, trx: Db, spec: BulkInsert, rows: readonly (readonly BulkValue[])[]): Promise<number> {
  if (rows.length === 0) return 0;
  const insert = compiled(spec);
  refuseUnstorable(insert, rows);
  if (ctx.sqlite !== undefined) return sqliteInsert(ctx.sqlite, insert, rows);
  let written = 0;
  for (let start = 0; start < rows.length; start += PG_ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + PG_ROWS_PER_STATEMENT);
    const result = await trx.executeQuery(CompiledQuery.raw(insert.postgres, [recordsetJson(insert.columns, chunk)]));
    written += Number(result.numAffectedRows ?? 0n);
  }
  return written;
}

/**
 * Text neither back end keeps as given is refused, on both alike: U+0000
 * (PostgreSQL refuses it; SQLite kept it, so a store moved to PostgreSQL
 * would not load) and an unpaired surrogate (PostgreSQL refuses it; SQLite
 * stored U+FFFD, so an identity id read back was not the id written, and
 * the next sync took that person for someone new). JSON texts never hold
 * either (JSON.stringify escapes them); ids, names and times can.
 */
function refuseUnstorable(insert: CompiledInsert, rows: readonly (readonly BulkValue[])[]): void {
  const json = insert.json;
  for (const row of rows) {
    for (let col = 0; col < row.length; col++) {
      const value = row[col];
      if (typeof value !== 'string' || json[col] === true || isStorableText(value)) continue;
      throw new RosterError('request.invalid', `${insert.table}.${insert.columns[col]} ${JSON.stringify(value.slice(0, 200))}: text with U+0000 or an unpaired surrogate cannot be stored`, {
        details: { table: insert.table, column: insert.columns[col] },
      });
    }
  }
}

/** One chunk as a JSON array of objects keyed by column: one parameter, serialised natively. */
function recordsetJson(columns: readonly string[], rows: readonly (readonly BulkValue[])[]): string {
  return JSON.stringify(rows.map((row) => {
    const record: Record<string, BulkValue> = {};
    for (let col = 0; col < columns.length; col++) record[columns[col]!] = row[col] ?? null;
    return record;
  }));
}

/** Rows per SQLite statement: one multi-row insert binds ROWS × columns parameters (far below SQLite's 32,766). */
const SQLITE_ROWS_PER_STATEMENT = 64;

/**
 * Safe only while the caller holds the connection in a write transaction
 * (ctx.write): better-sqlite3 is synchronous and this is that connection.
 * Rows go SQLITE_ROWS_PER_STATEMENT at a time through one multi-row insert
 * (the rest through a statement sized for it): one call into SQLite per
 * chunk instead of per row. Each chunk's values go to SQLite as one flat array.
 */
function sqliteInsert(database: SqliteConnection, insert: CompiledInsert, rows: readonly (readonly BulkValue[])[]): number {
  let written = 0;
  for (let start = 0; start < rows.length; start += SQLITE_ROWS_PER_STATEMENT) {
    const end = Math.min(start + SQLITE_ROWS_PER_STATEMENT, rows.length);
    // The chunk's rows end to end (what chunk.flat() gave), in an array allocated once at its size.
    let size = 0;
    for (let at = start; at < end; at += 1) size += rows[at]!.length;
    const values = new Array<BulkValue>(size);
    let next = 0;
    for (let at = start; at < end; at += 1) {
      const row = rows[at]!;
      for (let col = 0; col < row.length; col += 1) values[next++] = row[col] as BulkValue;
    }
    written += database.statement(insert.sqlite(end - start)).run(values).changes; // an array binds as its elements, in order
  }
  return written;
}

function postgresText(spec: BulkInsert, conflict: string): string {
  const shape = spec.columns.map((column) => `${quote(column)} ${spec.types?.[column] ?? 'text'}`);
  const names = spec.columns.map(quote).join(',');
  return `insert into ${quote(spec.table)} (${names}) select ${names} from json_to_recordset($1::json) as r(${shape.join(', ')})${conflict}`;
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
