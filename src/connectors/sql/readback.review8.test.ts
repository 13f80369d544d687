import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { useEngineDir } from '../../../test/support/engine-dir.js';
import { freshSchema, PG_URL } from '../../../test/support/pg.js';

/**
 * A value read back from a column in the database's own form (a boolean as
 * '1.0' in a SQLite text column, an array as JSON text, a `date` column as a
 * Date) looked like a change forever: every plan after a reconcile rewrote
 * every account. The connector now says which held values stand for the
 * written ones (Connector.sameValue).
 */
const dir = useEngineDir('review8-sqlreadback');
let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await drop?.();
  drop = undefined;
});

const HR = 'employeeId,employmentType,startDate\nE1,employee,2020-01-31\nE2,contractor,2021-12-01\n';

function yaml(url: string, createTables: boolean): string {
  return `store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: app
    type: sql
    connection:
      url: ${url}
      createTables: ${createTables}
      users: { table: users, key: username, columns: { username: username, isEmployee: is_employee, tags: tags, start: start_date, seen: seen_at }, enabled: { column: active } }
    accountKey: username
    attributes:
      username: identity.employeeId
      isEmployee: identity.employmentType == "employee"
      tags: '["a", "b"]'
      start: identity.startDate
      seen: '"2024-05-06T07:08:09Z"'
    safety: { minAccounts: 0 }
`;
}

async function secondPlanChanges(text: string): Promise<unknown[]> {
  const engine = await dir.open(text, { files: { 'hr.csv': HR } });
  const first = await engine.sync({ actor: 'test' });
  expect(first.plan.summary).toEqual({ create: 2 });
  await engine.reconcile('app', { actor: 'test' });
  const plan = await engine.plan();
  return plan.changes.map((change) => change.action);
}

describe('sql read-back forms are no change (review8)', () => {
  it('SQLite text columns: booleans and JSON arrays', async () => {
    expect(await secondPlanChanges(yaml('sqlite:./app.db', true))).toEqual([]);
  });

  it('PostgreSQL typed columns: boolean, jsonb, date, timestamptz', async () => {
    const schema = await freshSchema('review8_sqlrb');
    drop = schema.drop;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema.schema}"`);
      await client.query(`CREATE TABLE "${schema.schema}".users (username text PRIMARY KEY, is_employee boolean, tags jsonb,
        start_date date, seen_at timestamptz, active boolean NOT NULL DEFAULT true)`);
    } finally {
      await client.end();
    }
    expect(await secondPlanChanges(yaml(schema.url, false))).toEqual([]);
  });
});
