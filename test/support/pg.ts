import pg from 'pg';

export const PG_URL = process.env.ROSTER_TEST_PG ?? 'postgres://root@127.0.0.1:5432/test';

/** A fresh schema for one test run; drop() removes it. Fails (never skips) when PostgreSQL is down. */
export async function freshSchema(prefix: string): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.end();
  return {
    schema,
    url: `${PG_URL}?schema=${schema}`,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
