import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import { translateSort } from './sort.js';
import type { FilterDialect } from './sql-dialect.js';
import { ENTERPRISE_USER_SCHEMA_ID } from './standard-schemas.js';
import { POSTGRES_URL } from './test-db.js';
import { ROSTER_EXTENSION_ID, TEST_SCHEMA } from './test-users.js';

/** Five users built to tell sort rules apart: case, missing and empty values, numbers, booleans, primaries. */
const ROWS: readonly Readonly<Record<string, unknown>>[] = [
  {
    id: 's1', userName: 'bob', name: { familyName: 'Zeta' }, active: true,
    emails: [{ value: 'b@x.org', type: 'home' }, { value: 'a@x.org', type: 'work', primary: true }],
    meta: { lastModified: '2020-01-02T00:00:00.000Z' },
    [ROSTER_EXTENSION_ID]: { level: 3, tags: ['m', 'a'] }, [ENTERPRISE_USER_SCHEMA_ID]: { employeeNumber: '9' },
  },
  {
    id: 's2', userName: 'Alice', name: { familyName: 'beta' }, active: false,
    emails: [{ value: 'c@x.org', type: 'work' }],
    meta: { lastModified: '2019-06-01T00:00:00.000Z' },
    [ROSTER_EXTENSION_ID]: { level: 10, tags: ['z'] }, [ENTERPRISE_USER_SCHEMA_ID]: { employeeNumber: '10' },
  },
  { id: 's3', userName: 'carol', name: { familyName: '' }, emails: [], [ROSTER_EXTENSION_ID]: { level: 2.5 } },
  {
    id: 's4', userName: 'dave', name: { familyName: 'Alpha' }, active: true,
    emails: [{ type: 'other' }, { value: 'D@x.org', type: 'home' }], [ROSTER_EXTENSION_ID]: { level: -1 },
  },
  { id: 's5', userName: 'Émile', emails: [{ value: 'e@x.org', primary: false }], [ROSTER_EXTENSION_ID]: { tags: [] } },
];

/** sortBy → ids in ascending order. Descending must be exactly the reverse (ties broken by id the same way). */
const ASCENDING: readonly (readonly [string, readonly string[]])[] = [
  ['userName', ['s2', 's1', 's3', 's4', 's5']],
  ['name.familyName', ['s4', 's2', 's1', 's3', 's5']],
  ['NAME.FAMILYNAME', ['s4', 's2', 's1', 's3', 's5']],
  ['urn:ietf:params:scim:schemas:core:2.0:User:name.familyName', ['s4', 's2', 's1', 's3', 's5']],
  ['emails', ['s1', 's2', 's4', 's5', 's3']],
  ['emails.value', ['s1', 's2', 's4', 's5', 's3']],
  ['emails.type', ['s4', 's1', 's2', 's3', 's5']],
  ['urn:example:roster:1.0:User:level', ['s4', 's3', 's1', 's2', 's5']],
  ['tags', ['s1', 's2', 's3', 's4', 's5']],
  ['active', ['s2', 's1', 's4', 's3', 's5']],
  ['employeeNumber', ['s2', 's1', 's3', 's4', 's5']],
  ['meta.lastModified', ['s2', 's1', 's3', 's4', 's5']],
];

interface SortTable {
  ids(orderBy: string): Promise<string[]>;
  close(): Promise<void>;
}

const CREATE = (json: string): string => `CREATE TABLE sort_fixture (id TEXT PRIMARY KEY, handle TEXT NOT NULL, data ${json} NOT NULL)`;

function sqliteTable(): SortTable {
  const db = new Database(':memory:');
  db.exec(CREATE('TEXT'));
  for (const row of ROWS) db.prepare('INSERT INTO sort_fixture VALUES (?, ?, ?)').run(row.id, row.userName, JSON.stringify(row));
  return {
    ids: async (orderBy) => (db.prepare(`SELECT id FROM sort_fixture ORDER BY ${orderBy}`).all() as { id: string }[]).map((r) => r.id),
    close: async () => void db.close(),
  };
}

async function postgresTable(): Promise<SortTable> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  const schema = `scim_sort_test_${process.pid}_${Date.now()}`;
  await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}; ${CREATE('JSONB')}`);
  for (const row of ROWS) await client.query('INSERT INTO sort_fixture VALUES ($1, $2, $3)', [row.id, row.userName, JSON.stringify(row)]);
  return {
    ids: async (orderBy) => (await client.query<{ id: string }>(`SELECT id FROM sort_fixture ORDER BY ${orderBy}`)).rows.map((r) => r.id),
    close: async () => {
      try {
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

describe.each(['sqlite', 'postgres'] as const)('translateSort on %s', (dialect: FilterDialect) => {
  let table: SortTable;
  beforeAll(async () => {
    table = dialect === 'sqlite' ? sqliteTable() : await postgresTable();
  });
  afterAll(async () => {
    await table?.close();
  });

  /** As ScimStore.query orders: missing values last ascending, first descending; id breaks ties. */
  const sorted = (expression: string, descending: boolean): Promise<string[]> =>
    table.ids(descending ? `${expression} DESC NULLS FIRST, id DESC` : `${expression} ASC NULLS LAST, id ASC`);

  it.each(ASCENDING)('%s', async (path, expected) => {
    const expression = translateSort(path, TEST_SCHEMA, dialect);
    expect(await sorted(expression, false)).toEqual(expected);
    expect(await sorted(expression, true)).toEqual([...expected].reverse());
  });

  it('reads a column that columnOf names', async () => {
    const columnOf = (name: string): string | undefined => (name === 'userName' ? 'handle' : undefined);
    const expression = translateSort('userName', TEST_SCHEMA, dialect, columnOf);
    expect(expression).toContain('lower(handle)');
    expect(expression).not.toContain('data');
    expect(await sorted(expression, false)).toEqual(['s2', 's1', 's3', 's4', 's5']);
  });

  it('reads the JSON column it is given', () => {
    expect(translateSort('title', TEST_SCHEMA, dialect, undefined, { dataColumn: 'r.body' })).toContain('r.body');
  });
});

describe('translateSort refusals', () => {
  const refused: readonly (readonly [string, RegExp])[] = [
    ['nickName2', /unknown attribute 'nickName2'/],
    ['name', /complex/],
    ['name.middle', /no sub-attribute 'middle'/],
    ['urn:example:nope:1.0:User:level', /unknown schema/],
    ['userName eq "x"', /attribute path/],
    ['emails[type eq "work"]', /attribute path/],
    ['', /attribute path/],
    ['a.b.c', /too many '\.'/],
  ];
  it.each(refused)('%j', (path, message) => {
    let caught: unknown;
    try {
      translateSort(path, TEST_SCHEMA, 'postgres');
    } catch (error) {
      caught = error;
    }
    expect(isRosterError(caught, 'request.invalid')).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as { details?: unknown }).details).toEqual({ scimType: 'invalidValue' });
  });
});
