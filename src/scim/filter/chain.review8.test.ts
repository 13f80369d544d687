import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILTER_LENGTH, parseFilter } from './parser.js';
import type { FilterDialect } from './sql-dialect.js';
import { openPostgres, openSqlite, type TestDatabase } from './test-db.js';
import { TEST_SCHEMA } from './test-users.js';
import { translateFilter } from './translate.js';

/**
 * A long flat chain within the length limit (`id pr or id pr or …`, ~1,100
 * operands) was translated one parenthesis level per operand; SQLite refuses
 * an expression deeper than 1000 ("Expression tree is too large"), so the
 * request failed in the database instead of answering. The chain is now a
 * balanced tree: same meaning, same parameter order, depth log2(n).
 */
const openers: Readonly<Record<FilterDialect, () => TestDatabase | Promise<TestDatabase>>> = { sqlite: openSqlite, postgres: openPostgres };

function chain(term: (i: number) => string, joiner: string): string {
  const terms: string[] = [];
  for (let i = 0; ; i += 1) {
    const next = [...terms, term(i)].join(joiner);
    if (next.length > MAX_FILTER_LENGTH) return terms.join(joiner);
    terms.push(term(i));
  }
}

describe.each(['sqlite', 'postgres'] as const)('long logical chains on %s (review8)', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openers[dialect]();
  });
  afterAll(async () => {
    await db?.close();
  });
  const run = (filter: string): Promise<string[]> => {
    const { sql, params } = translateFilter(parseFilter(filter), TEST_SCHEMA, dialect);
    return db.ids(sql, params);
  };

  it('a maximal `or` chain runs', async () => {
    const filter = chain(() => 'id pr', ' or ');
    expect(filter.split(' or ').length).toBeGreaterThan(1000);
    expect(await run(filter)).toHaveLength(20);
  });

  it('a maximal `and` chain runs', async () => {
    const filter = chain(() => 'id pr', ' and ');
    expect(await run(filter)).toHaveLength(20);
  });

  it('keeps each value with its own comparison (parameter order) and mixes precedence correctly', async () => {
    // Only the last operand matches: values bound out of order would match nothing, or the wrong user.
    const filter = `${chain((i) => `userName eq "nobody${i}"`, ' or ').split(' or ').slice(0, 300).join(' or ')} or userName eq "bjensen"`;
    expect(await run(filter)).toEqual(['u01']);
    // `and` binds tighter than `or`, however long the chain.
    const mixed = `${Array.from({ length: 200 }, () => 'userName eq "bjensen" and title pr').join(' or ')} or id eq "u10" and userName eq "nomatch"`;
    expect(await run(mixed)).toEqual(['u01']);
  });
});
