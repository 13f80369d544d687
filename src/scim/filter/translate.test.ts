import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import { parseFilter } from './parser.js';
import type { FilterDialect } from './sql-dialect.js';
import { openPostgres, openSqlite, type TestDatabase } from './test-db.js';
import { MATCH_CASES } from './translate-cases.js';
import { TEST_SCHEMA } from './test-users.js';
import { translateFilter } from './translate.js';

const openers: Readonly<Record<FilterDialect, () => TestDatabase | Promise<TestDatabase>>> = {
  sqlite: openSqlite,
  postgres: openPostgres,
};

describe.each(['sqlite', 'postgres'] as const)('translateFilter on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openers[dialect]();
  });
  afterAll(async () => {
    await db?.close();
  });

  const run = (filter: string, columnOf?: (name: string) => string | undefined): Promise<string[]> => {
    const { sql, params } = translateFilter(parseFilter(filter), TEST_SCHEMA, dialect, columnOf);
    return db.ids(sql, params);
  };

  it.each(MATCH_CASES)('%s', async (filter, expected) => {
    expect(await run(filter)).toEqual(expected);
  });

  it('binds every value as a parameter, never in the SQL text', () => {
    const { sql, params } = translateFilter(parseFilter('userName eq "x\' OR \'1\'=\'1" and emails[value co "evil%"]'), TEST_SCHEMA, dialect);
    expect(sql).not.toContain('OR \'1\'');
    expect(sql).not.toContain('evil');
    expect(params).toEqual(["x' OR '1'='1", '%evil\\%%']);
  });

  it('leaves the table intact after an injection attempt', async () => {
    await run('userName eq "\\"); DROP TABLE scim_resources; --" or userName eq "\'; DELETE FROM scim_resources; --"');
    expect(await db.count()).toBe(20);
  });

  it('uses a real column when columnOf names one', async () => {
    const columnOf = (name: string): string | undefined => (name === 'id' ? 'id' : undefined);
    const { sql } = translateFilter(parseFilter('id eq "u03"'), TEST_SCHEMA, dialect, columnOf);
    expect(sql).not.toContain('data');
    expect(await run('id eq "u03" or id sw "u2"', columnOf)).toEqual(['u03', 'u20']);
  });

  it('numbers PostgreSQL placeholders from firstParam', () => {
    const { sql } = translateFilter(parseFilter('userName eq "a" or userName eq "b"'), TEST_SCHEMA, dialect, undefined, { firstParam: 3 });
    if (dialect === 'postgres') expect(sql).toMatch(/\$3::text.*\$4::text/);
    else expect(sql.match(/\?/g)).toHaveLength(2);
  });
});

describe('translateFilter refusals', () => {
  const refused: readonly (readonly [string, RegExp])[] = [
    ['nickname2 eq "x"', /unknown attribute 'nickname2'/],
    ['name.middle eq "x"', /no sub-attribute 'middle'/],
    ['urn:example:nope:2.0:User:userName eq "x"', /unknown schema/],
    ['active gt true', /'gt' cannot be used on 'active'/],
    ['active co "t"', /boolean/],
    ['name gt "x"', /complex/],
    ['emails ge "x"', /complex/],
    ['name eq "x"', /complex/],
    ['meta.lastModified co "2011"', /dateTime/],
    ['meta.lastModified gt "yesterday"', /ISO 8601/],
    ['meta.lastModified gt "2026-02-31T00:00:00Z"', /real day/],
    ['meta.created eq "2026-02-29"', /real day/],
    ['level eq "3"', /needs a number/],
    ['userName eq 3', /needs a "string"/],
    ['userName gt null', /null/],
    ['emails[display eq "x" and foo eq "y"]', /no sub-attribute 'foo'/],
    ['userName[value eq "x"]', /complex/],
    ['emails[emails.value eq "x"]', /plain sub-attribute/],
  ];
  it.each(refused)('%s', (filter, message) => {
    let caught: unknown;
    try {
      translateFilter(parseFilter(filter), TEST_SCHEMA, 'sqlite');
    } catch (error) {
      caught = error;
    }
    expect(isRosterError(caught, 'request.invalid')).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as { details?: unknown }).details).toMatchObject({ scimType: 'invalidFilter', offset: expect.any(Number) });
  });

  it('points the offset at the unknown attribute', () => {
    const filter = 'userName eq "a" and bogus pr';
    expect(() => translateFilter(parseFilter(filter), TEST_SCHEMA, 'postgres')).toThrowError(
      expect.objectContaining({ details: { scimType: 'invalidFilter', offset: filter.indexOf('bogus') } }),
    );
  });
});
