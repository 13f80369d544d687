import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PG_URL, freshSchema } from '../../test/support/pg.js';
import { openStore } from './index.js';

/** A database of its own (dropped after the test), for what a test must see in `public`. */
async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `roster_migrate_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

async function run(url: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL migrations look at the store schema only', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('opens a store in public although another schema of the database holds kysely migration tables', async () => {
    const db = await freshDatabase();
    cleanups.push(db.drop);
    // Another application in the same database migrates with Kysely too, into its own schema.
    await run(db.url, [
      'CREATE SCHEMA other_app',
      'CREATE TABLE other_app.kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null)',
      'CREATE TABLE other_app.kysely_migration_lock (id varchar(255) primary key, is_locked integer not null default 0)',
      "INSERT INTO other_app.kysely_migration VALUES ('0001_other', '2026-01-01T00:00:00.000Z')",
    ]);
    const store = await openStore(db.url);
    try {
      await store.state.set('probe', { ok: true });
      expect(await store.state.get('probe')).toEqual({ ok: true });
    } finally {
      await store.close();
    }
    // The other application's history is untouched, and Roster's is in public.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const other = await client.query('SELECT name FROM other_app.kysely_migration');
      expect(other.rows.map((row: { name: string }) => row.name)).toEqual(['0001_other']);
      const own = await client.query('SELECT count(*)::int AS n FROM public.kysely_migration');
      expect((own.rows[0] as { n: number }).n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  it('opens (and reopens) a store while other sessions create and drop schemas', async () => {
    const schema = await freshSchema('roster_migrate_churn');
    cleanups.push(schema.drop);
    let churning = true;
    const churn = (async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        for (let i = 0; churning; i++) {
          const name = `roster_churn_${process.pid}_${i}`;
          await client.query(`CREATE SCHEMA "${name}"`);
          await client.query(`CREATE TABLE "${name}".t (id serial primary key, v text)`);
          await client.query(`DROP SCHEMA "${name}" CASCADE`);
        }
      } finally {
        await client.end();
      }
    })();
    try {
      for (let i = 0; i < 15; i++) {
        const store = await openStore(schema.url);
        await store.close();
      }
    } finally {
      churning = false;
      await churn;
    }
    const store = await openStore(schema.url);
    try {
      expect(await store.state.get('nothing')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
