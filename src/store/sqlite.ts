import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { sqliteWrite, type StoreContext } from './context.js';
import { migrateSqlite } from './migrate.js';
import { ReadCache } from './read-cache.js';
import type { Database } from './schema.js';
import type { Backend } from './backend.js';
import { writeLockFor } from './sqlite-lock.js';
import { SqliteStatementCache } from './sqlite-statements.js';

let memoryDatabases = 0;

/**
 * SQLite's built-in lower() folds ASCII only: `ZOË` and `Zoë` would be two
 * userNames, and a filter for one would not find the other, where
 * PostgreSQL's lower() (and SCIM's caseExact=false) takes them as the same.
 * Every connection Roster opens replaces it with a Unicode one (JavaScript's
 * toLowerCase), deterministic so indexes on lower(...) can use it; the
 * indexes built with the old one are rebuilt by migration 0007. A value that
 * is not text converts as the built-in does (a number to its text, a blob
 * read as UTF-8; NULL stays NULL). Another program writing the SCIM tables
 * through the built-in lower() would leave those indexes inconsistent:
 * Roster's database is Roster's to write.
 */
function unicodeLower(database: BetterSqlite3.Database): void {
  database.function('lower', { deterministic: true }, (value: unknown) => {
    if (typeof value === 'string') return value.toLowerCase();
    if (value === null) return null;
    return (Buffer.isBuffer(value) ? value.toString('utf8') : String(value)).toLowerCase();
  });
}

const BUSY_TIMEOUT_MS = 5000;

/**
 * BEGIN IMMEDIATE without SQLite's busy wait (which would block the event
 * loop): true when this connection now holds the write lock, false when
 * another connection holds it.
 */
function tryBeginImmediate(database: BetterSqlite3.Database): () => boolean {
  return () => {
    database.pragma('busy_timeout = 0');
    try {
      database.exec('begin immediate');
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return false;
      throw error;
    } finally {
      database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  };
}

/** `sqlite::memory:` or `sqlite:<path>`, a relative path resolved against baseDir. */
export function openSqlite(location: string, baseDir: string, options: { readonly lockWaitMs?: number } = {}): Backend {
  const memory = location === ':memory:';
  const file = memory ? ':memory:' : resolve(baseDir, location);
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  // 16 KiB pages for a new file (an existing one keeps its size): a commit writes each dirty page to the WAL as a
  // frame with its own system calls, and the queue, link and audit rows of a batch span a quarter as many frames.
  // Measured on a 10,000-change apply: the commits' cost fell from ~240 ms to ~80 ms (docs/benchmarks.md).
  if (!memory) database.pragma('page_size = 16384');
  if (!memory) database.pragma('journal_mode = WAL');
  // Statements outside a write transaction seldom wait (WAL readers never do); writes wait in sqliteWrite.
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  database.pragma('synchronous = NORMAL');
  // Checkpoint every ~40 MB of WAL instead of every 4 MB: a checkpoint (with its fsyncs) blocks the one
  // connection mid-commit, and applying a big plan rewrites the same queue pages many times over.
  if (!memory) database.pragma('wal_autocheckpoint = 10000');
  database.pragma('foreign_keys = ON');
  unicodeLower(database);
  const statements = new SqliteStatementCache(database);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements.forKysely() }) });
  const serialise = memory ? writeLockFor(`memory:${++memoryDatabases}`) : writeLockFor(file);
  const context: StoreContext = {
    db, dialect: 'sqlite', lockNamespace: file, write: sqliteWrite(db, serialise, tryBeginImmediate(database), options.lockWaitMs), sqlite: statements, cache: new ReadCache(),
  };
  return {
    context,
    migrate: () => migrateSqlite(context.write),
    close: () => db.destroy(),
  };
}
