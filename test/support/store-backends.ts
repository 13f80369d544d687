import { afterEach, beforeEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../src/store/backend.js';
import { CompiledQuery, type Compilable } from 'kysely';
import type { Db } from '../../src/store/context.js';
import { openPostgres } from '../../src/store/postgres.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import { openSqlite } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { freshSchema } from './pg.js';

/**
 * Stores on every back end, opened from their backends so a test can run
 * SQL (EXPLAIN, say) on the same database: SQLite in memory, SQLite on a
 * file, PostgreSQL in a fresh schema (PostgreSQL being down fails the suite).
 */
export interface OpenedStore {
  readonly store: Store;
  readonly db: Db;
  /** Another connection to the same database; the same store for memory. */
  second(): Promise<Store>;
  close(): Promise<void>;
}

async function open(makeBackend: () => Backend, cleanup: () => Promise<void>, shared: boolean): Promise<OpenedStore> {
  const opened: Backend[] = [];
  const start = async (): Promise<Store> => {
    const backend = makeBackend();
    opened.push(backend);
    await backend.migrate();
    return createSqlStore(backend);
  };
  const store = await start();
  return {
    store,
    db: opened[0]!.context.db,
    second: () => (shared ? start() : Promise.resolve(store)),
    close: async () => {
      for (const backend of opened) await backend.close();
      await cleanup();
    },
  };
}

export const storeBackEnds = (prefix: string): readonly { readonly name: string; open(): Promise<OpenedStore> }[] => [
  { name: 'sqlite (memory)', open: () => open(() => openSqlite(':memory:', tmpdir()), async () => undefined, false) },
  {
    name: 'sqlite (file)',
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
      return open(() => openSqlite(join(dir, 'roster.db'), dir), () => rm(dir, { recursive: true, force: true }), true);
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const schema = await freshSchema(prefix.replaceAll('-', '_'));
      return open(() => openPostgres(schema.url), () => schema.drop(), true);
    },
  },
];


/** A store of `backEnd` opened before each test of the calling suite and closed after it. */
export function useOpenedStore(backEnd: { open(): Promise<OpenedStore> }): { readonly opened: () => OpenedStore; readonly store: () => Store } {
  let current: OpenedStore | undefined;
  beforeEach(async () => {
    current = await backEnd.open();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const opened = (): OpenedStore => {
    if (current === undefined) throw new Error('no store open: call this inside a test');
    return current;
  };
  return { opened, store: () => opened().store };
}

/** The database's plan for a query on this store (SQLite's EXPLAIN QUERY PLAN details, PostgreSQL's EXPLAIN lines), one step a line. */
export async function queryPlan(opened: OpenedStore, query: Compilable): Promise<string> {
  const compiled = query.compile();
  const explain = opened.store.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
  const result = await opened.db.executeQuery<Record<string, string>>(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
  return result.rows.map((row) => row.detail ?? row['QUERY PLAN']).join('\n');
}
