import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PG_URL, freshSchema } from '../../../test/support/pg.js';
import { openStore, type Store } from '../index.js';

/** A store of one back end, and a way to run SQL on its database outside Roster (to set up the state of an older store). */
export interface SqlBackend {
  readonly name: 'sqlite' | 'postgres';
  open(): Promise<Store>;
  exec(statements: readonly string[]): Promise<void>;
  cleanup(): Promise<void>;
}

/** A SQLite file store in a directory of its own (`prefix` names the directory). */
export function sqliteBackend(prefix: string): SqlBackend {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const file = join(dir, 'roster.db');
  return {
    name: 'sqlite',
    open: () => openStore(`sqlite:${file}`),
    async exec(statements) {
      const db = new Database(file);
      try {
        for (const statement of statements) db.exec(statement);
      } finally {
        db.close();
      }
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PostgreSQL store in a fresh schema (`schema` its name's prefix). */
export async function postgresBackend(schema: string): Promise<SqlBackend> {
  const fresh = await freshSchema(schema);
  return {
    name: 'postgres',
    open: () => openStore(fresh.url),
    async exec(statements) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`set search_path to "${fresh.schema}"`);
        for (const statement of statements) await client.query(statement);
      } finally {
        await client.end();
      }
    },
    cleanup: () => fresh.drop(),
  };
}
