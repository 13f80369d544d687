import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RosterError } from '../../core/errors.js';
import { pick, seeded, type Random } from '../testing/fuzz.js';
import { parseFilter } from './parser.js';
import { openPostgres, openSqlite, type TestDatabase } from './test-db.js';
import { TEST_SCHEMA } from './test-users.js';
import { translateFilter } from './translate.js';

const PIECES = [
  'userName', 'name.familyName', 'emails', 'emails.value', 'emails.type', 'type', 'value', 'primary', 'active', 'title', 'meta.lastModified',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', 'urn:example:roster:1.0:User:level', 'level', 'tags', 'bogus', 'name',
  'eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not', 'AND', 'Or', 'NOT',
  '(', ')', '[', ']', '"work"', '"@example.com"', '"x\' OR 1=1 --"', '"%_\\\\"', '"2011-05-13T04:42:34Z"', '"\\u0041"', '"\\u0000"', '"unterminated',
  '1', '-2.5', '1e3', '01', 'true', 'false', 'null', 'True', '.', ':', '"', '\\', '$ref', '{', '}', ';', '--',
];
const CHARS = ' \t"\\()[].:-_%$*?eEoOa0123456789\u00e9\u0000';

const ATTRIBUTES = PIECES.slice(0, 17);
const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ'];
const VALUES = ['"work"', '"@example.com"', '"x\' OR 1=1 --"', '"%_\\\\"', '"2011-05-13T04:42:34Z"', '"True"', '1', '-2.5', '3', 'true', 'false', 'null', '""'];

/** A filter from the grammar (attribute/operator/value pairs may still not fit the schema). */
function grammarFilter(random: Random, depth = 0): string {
  const roll = random();
  if (depth < 3 && roll < 0.25) return `${grammarFilter(random, depth + 1)} ${pick(random, ['and', 'or', 'AND'])} ${grammarFilter(random, depth + 1)}`;
  if (depth < 3 && roll < 0.32) return `not (${grammarFilter(random, depth + 1)})`;
  if (depth < 3 && roll < 0.38) return `(${grammarFilter(random, depth + 1)})`;
  if (depth < 2 && roll < 0.48) return `${pick(random, ['emails', 'ims', 'name', 'userName'])}[${grammarFilter(random, 3)}]`;
  const attribute = depth >= 3 && random() < 0.7 ? pick(random, ['type', 'value', 'primary', 'givenName', 'display']) : pick(random, ATTRIBUTES);
  if (random() < 0.15) return `${attribute} pr`;
  return `${attribute} ${pick(random, OPERATORS)} ${pick(random, VALUES)}`;
}

/** One to three random character edits. */
function mutate(random: Random, text: string): string {
  let result = text;
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i += 1) {
    const at = Math.floor(random() * (result.length + 1));
    const roll = random();
    if (roll < 0.4) result = result.slice(0, at) + result.slice(at + 1);
    else if (roll < 0.8) result = result.slice(0, at) + pick(random, [...CHARS]) + result.slice(at);
    else result = result.slice(0, at) + pick(random, PIECES) + result.slice(at);
  }
  return result;
}

function randomFilter(random: Random): string {
  const roll = random();
  if (roll < 0.4) return grammarFilter(random);
  if (roll < 0.7) return mutate(random, grammarFilter(random));
  return tokenSoup(random);
}

function tokenSoup(random: Random): string {
  const length = 1 + Math.floor(random() * 12);
  const parts: string[] = [];
  for (let i = 0; i < length; i += 1) {
    parts.push(random() < 0.85 ? pick(random, PIECES) : pick(random, [...CHARS]));
    if (random() < 0.9) parts.push(' ');
  }
  return parts.join('').trim();
}

describe('filter fuzz: 10,000 random filters (seed 20260101)', () => {
  let sqlite: TestDatabase;
  let postgres: TestDatabase;
  beforeAll(async () => {
    sqlite = openSqlite();
    postgres = await openPostgres();
  });
  afterAll(async () => {
    await sqlite?.close();
    await postgres?.close();
  });

  it('throws nothing but RosterError(request.invalid), and every translation runs', async () => {
    const random = seeded(20260101);
    const outcomes = { invalid: 0, parsed: 0, executed: 0 };
    for (let i = 0; i < 10_000; i += 1) {
      const filter = randomFilter(random);
      try {
        const node = parseFilter(filter);
        outcomes.parsed += 1;
        for (const db of [sqlite, postgres]) {
          const { sql, params } = translateFilter(node, TEST_SCHEMA, db.dialect);
          await db.ids(sql, params).catch((error: unknown) => {
            throw new Error(`SQL failed on ${db.dialect} for ${JSON.stringify(filter)}: ${String(error)}`);
          });
        }
        outcomes.executed += 1;
      } catch (error) {
        if (!(error instanceof RosterError) || error.code !== 'request.invalid') {
          throw new Error(`filter ${JSON.stringify(filter)} threw ${String(error)}`, { cause: error });
        }
        expect(error.details).toMatchObject({ scimType: 'invalidFilter' });
        outcomes.invalid += 1;
      }
    }
    expect(outcomes.invalid + outcomes.executed).toBe(10_000);
    // the generator must reach the translator and the databases, not only the lexer
    expect(outcomes.parsed).toBeGreaterThan(3_000);
    expect(outcomes.executed).toBeGreaterThan(1_000);
  });
});
