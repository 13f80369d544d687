import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/index.js';
import { openPostgres } from '../../src/store/postgres.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import { identity } from '../../src/store/testing/builders.js';
import { PG_URL } from '../support/pg.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function pgQuery<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

function schemaName(prefix: string): string {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  cleanups.push(async () => { await pgQuery(`drop schema if exists "${name}" cascade`); });
  return name;
}

const retryableStoreError = (error: unknown): boolean => isRosterError(error, 'store.unavailable') && error.retryable;

describe('PostgreSQL store urls', () => {
  it('keeps its tables in a schema named with capitals, as written', async () => {
    const schema = schemaName('Tenant_A');
    const store = await openStore(`${PG_URL}?schema=${schema}`);
    await store.state.set('k', { v: 1 });
    await store.close();
    const again = await openStore(`${PG_URL}?schema=${schema}`);
    cleanups.push(() => again.close());
    expect(await again.state.get('k')).toEqual({ v: 1 });
    const tables = await pgQuery<{ n: number }>('select count(*)::int as n from information_schema.tables where table_schema = $1', [schema]);
    expect(tables[0]!.n).toBeGreaterThanOrEqual(12);
    expect(await pgQuery('select 1 from information_schema.tables where table_schema = $1', [schema.toLowerCase()])).toEqual([]);
  });

  it('keeps the schema when the url sets its own connection options (a statement timeout)', async () => {
    const schema = schemaName('roster_opts');
    const store = await openStore(`${PG_URL}?schema=${schema}&options=${encodeURIComponent('-c statement_timeout=4321')}`);
    cleanups.push(() => store.close());
    await store.state.set('k', 1);
    expect(await pgQuery('select 1 from information_schema.tables where table_schema = $1 and table_name = $2', [schema, 'roster_state'])).toHaveLength(1);
    const backend = openPostgres(`${PG_URL}?schema=${schema}&options=${encodeURIComponent('-c statement_timeout=4321')}`);
    cleanups.push(() => backend.close());
    const shown = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(backend.context.db);
    expect(shown.rows[0]!.statement_timeout).toBe('4321ms');
  });

  it('never puts a password in the error for a url it cannot parse, cause included', async () => {
    const error = await openStore('postgres://roster:s3cr/et@127.0.0.1/roster').catch((e: unknown) => e);
    expect(isRosterError(error, 'config.invalid')).toBe(true);
    expect((error as Error).message).toMatch(/percent-encoded/);
    expect(inspect(error, { depth: 10 })).not.toContain('s3cr');
  });
});

describe('PostgreSQL connections that fail under the store', () => {
  async function opened(): Promise<{ backend: ReturnType<typeof openPostgres>; store: ReturnType<typeof createSqlStore> }> {
    const backend = openPostgres(`${PG_URL}?schema=${schemaName('roster_kill')}`);
    cleanups.push(() => backend.close());
    await backend.migrate();
    return { backend, store: createSqlStore(backend) };
  }

  it('a connection killed between two statements of a transaction: a retryable error, no crash, the next write works', async () => {
    const { backend, store } = await opened();
    const error = await backend.context.write(async (trx) => {
      const [row] = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows;
      await trx.insertInto('roster_state').values({ key: 'lost', value: '1' }).execute();
      await pgQuery('select pg_terminate_backend($1)', [row!.pid]);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the termination reaches the idle, checked-out client
      await trx.insertInto('roster_state').values({ key: 'lost2', value: '1' }).execute();
    }).catch((e: unknown) => e);
    expect(retryableStoreError(error)).toBe(true);
    expect((error as Error).message).not.toMatch(/password/);
    expect(await store.state.get('lost')).toBeUndefined();
    await store.state.set('after', 2);
    expect(await store.state.get('after')).toBe(2);
  });

  it('a connection killed while its query runs: a retryable error, and the next operation works', async () => {
    const { backend, store } = await opened();
    const error = await backend.context.write(async (trx) => {
      const [row] = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows;
      setTimeout(() => void pgQuery('select pg_terminate_backend($1)', [row!.pid]), 100);
      await sql`select pg_sleep(5)`.execute(trx);
    }).catch((e: unknown) => e);
    expect(retryableStoreError(error)).toBe(true);
    await store.identities.upsertMany([identity('E1')]);
    expect((await store.identities.get('E1'))?.id).toBe('E1');
  });

  it('a statement cancelled by statement_timeout is a retryable store error; a bad statement stays what it is', async () => {
    const backend = openPostgres(`${PG_URL}?schema=${schemaName('roster_timeout')}&options=${encodeURIComponent('-c statement_timeout=100')}`);
    cleanups.push(() => backend.close());
    await backend.migrate();
    expect(retryableStoreError(await sql`select pg_sleep(2)`.execute(backend.context.db).catch((e: unknown) => e))).toBe(true);
    const bad = await sql`select * from no_such_table`.execute(backend.context.db).catch((e: unknown) => e);
    expect(isRosterError(bad)).toBe(false);
    expect((bad as { code?: string }).code).toBe('42P01');
  });
});

describe.each([
  ['sqlite', async (): Promise<string> => 'sqlite::memory:'],
  ['postgres', async (): Promise<string> => `${PG_URL}?schema=${schemaName('roster_text')}`],
] as const)('text the %s store cannot keep as given', (_name, url) => {
  it('is refused clearly, on both back ends alike; astral characters, 1 MB values and numbers past 2^53 are kept', async () => {
    const store = await openStore(await url());
    cleanups.push(() => store.close());
    for (const id of ['E\u0000NUL', 'E\ud800', 'E\udc00x']) {
      const error = await store.identities.upsertMany([identity(id)]).catch((e: unknown) => e);
      expect(isRosterError(error, 'request.invalid')).toBe(true);
      expect((error as Error).message).toMatch(/roster_identities\.id .*U\+0000 or an unpaired surrogate/);
    }
    expect(await store.identities.count()).toBe(0);
    const attributes = { astral: '😀𝒳\u{10FFFF}', nul: 'a\u0000b', lone: 'x\ud800y', big: 'é'.repeat(1024 * 1024), huge: 2 ** 60 + 2 ** 10, tiny: 5e-324 };
    await store.identities.upsertMany([identity('😀E1', { attributes, startAt: '2024-03-31T01:00:00.000+01:00' })]);
    const back = await store.identities.get('😀E1');
    expect(back?.attributes).toEqual(attributes);
    expect(back?.startAt).toBe('2024-03-31T01:00:00.000+01:00');
  });
});

describe('SQLite with another process writing', () => {
  async function file(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'roster-busy-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return join(dir, 'roster.db');
  }

  /** Another process (a CLI command beside serve) holding the database's write lock for `ms`. */
  async function holdWriteLock(path: string, ms: number): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['-e', `
      const Database = require('better-sqlite3');
      const db = new Database(${JSON.stringify(path)});
      db.exec('begin immediate');
      process.stdout.write('held\\n');
      setTimeout(() => { db.exec('commit'); db.close(); }, ${ms});
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => { child.kill(); });
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    return child;
  }

  /** The longest the event loop went without running a 10 ms timer while `work` ran. */
  async function longestStall(work: () => Promise<unknown>): Promise<number> {
    let last = Date.now();
    let longest = 0;
    const timer = setInterval(() => {
      const now = Date.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 10);
    try {
      await work();
      await new Promise((resolve) => setTimeout(resolve, 30));
    } finally {
      clearInterval(timer);
    }
    return longest;
  }

  it('writes wait for the lock without stopping the process, then go through', async () => {
    const path = await file();
    const store = await openStore(`sqlite:${path}`);
    cleanups.push(() => store.close());
    await holdWriteLock(path, 1500);
    const started = Date.now();
    const stall = await longestStall(async () => {
      await Promise.all([store.state.update('n', (n: number | undefined) => (n ?? 0) + 1), store.state.set('k', 'v'), store.tokens.create({ id: 't', name: 't', scopes: [], hash: 'h', createdAt: '2024-01-01T00:00:00.000Z' })]);
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(stall).toBeLessThan(500);
    expect(await store.state.get('n')).toBe(1);
    expect(await store.state.get('k')).toBe('v');
  });

  it('a write that waits too long fails with a retryable store.unavailable, not "database is locked"', async () => {
    const path = await file();
    const backend = openSqlite(path, tmpdir(), { lockWaitMs: 300 });
    cleanups.push(() => backend.close());
    await backend.migrate();
    const store = createSqlStore(backend);
    await holdWriteLock(path, 3000);
    const error = await store.identities.upsertMany([identity('E1')]).catch((e: unknown) => e);
    expect(retryableStoreError(error)).toBe(true);
    expect((error as Error).message).toMatch(/locked by another process/);
  });
});
