import Database from 'better-sqlite3';
import pg from 'pg';
import type { FilterDialect } from './sql-dialect.js';
import { TEST_USERS } from './test-users.js';

/** A scim_resources table seeded with TEST_USERS, in SQLite (memory) or in a fresh PostgreSQL schema. */
export interface TestDatabase {
  readonly dialect: FilterDialect;
  /** Ids of the users matching `where`, sorted. */
  ids(where: string, params: readonly unknown[]): Promise<string[]>;
  count(): Promise<number>;
  close(): Promise<void>;
}

export const POSTGRES_URL = process.env.ROSTER_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

export function openSqlite(): TestDatabase {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE scim_resources (id TEXT PRIMARY KEY, resource_type TEXT NOT NULL, data TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO scim_resources (id, resource_type, data) VALUES (?, ?, ?)');
  for (const user of TEST_USERS) insert.run(user.id, 'User', JSON.stringify(user));
  return {
    dialect: 'sqlite',
    ids: async (where, params) => {
      const rows = db.prepare(`SELECT id FROM scim_resources WHERE resource_type = 'User' AND ${where} ORDER BY id`).all(...params) as { id: string }[];
      return rows.map((row) => row.id);
    },
    count: async () => (db.prepare('SELECT count(*) AS n FROM scim_resources').get() as { n: number }).n,
    close: async () => {
      db.close();
    },
  };
}

/** Creates its own schema and drops it on close. Rejects (the test fails) when PostgreSQL is unreachable. */
export async function openPostgres(): Promise<TestDatabase> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  const schema = `scim_filter_test_${process.pid}_${Date.now()}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(`SET search_path TO ${schema}`);
  await client.query('CREATE TABLE scim_resources (id TEXT PRIMARY KEY, resource_type TEXT NOT NULL, data JSONB NOT NULL)');
  for (const user of TEST_USERS) {
    await client.query('INSERT INTO scim_resources (id, resource_type, data) VALUES ($1, $2, $3)', [user.id, 'User', JSON.stringify(user)]);
  }
  return {
    dialect: 'postgres',
    ids: async (where, params) => {
      const result = await client.query<{ id: string }>(
        `SELECT id FROM scim_resources WHERE resource_type = 'User' AND ${where} ORDER BY id COLLATE "C"`,
        [...params],
      );
      return result.rows.map((row) => row.id);
    },
    count: async () => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM scim_resources')).rows[0]?.n),
    close: async () => {
      try {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
