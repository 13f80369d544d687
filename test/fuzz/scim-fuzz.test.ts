import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimFixture, type ScimFixture } from '../../src/api/scim/testing.js';
import { randomFilter, randomPatchBody, seeded, type Random } from './scim-generators.js';

/**
 * 100,000 generated requests through the whole SCIM stack (app.inject → parse
 * → translate → SQLite): 80,000 filters on GET /Users, 20,000 PATCH bodies.
 * None may end in a 5xx; every rejection must be an RFC 7644 §3.12 body with
 * a scimType (a 409 only for a userName another user holds).
 */

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const FILTER_ROUNDS = 4;
const FILTERS_PER_ROUND = 20_000;
const PATCH_ROUNDS = 2;
const PATCHES_PER_ROUND = 10_000;
const CONCURRENCY = 32;

let fixture: ScimFixture;
const userIds: string[] = [];
/** The server's error log: a 5xx failure shows what was thrown. */
const errorLog: string[] = [];

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (errorLog.length < 5) errorLog.push(chunk.toString('utf8').slice(0, 2000));
      done();
    },
  });
  fixture = await scimFixture('sqlite::memory:', { rateLimit: { perSecond: 1e9, burst: 1e9 } }, logStream);
  for (let i = 0; i < 20; i += 1) {
    const reply = await fixture.app.inject({
      method: 'POST', url: '/scim/v2/Users', headers: fixture.headers,
      payload: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `fuzz-${i}@example.com`, active: i % 2 === 0, title: `T${i}`,
        name: { givenName: `Given${i}`, familyName: 'Ünïcødé' }, emails: [{ value: `fuzz-${i}@example.com`, type: 'work', primary: true }],
      },
    });
    userIds.push((reply.json() as { id: string }).id);
  }
});

afterAll(async () => {
  await fixture?.close();
});

interface Outcome {
  readonly status: number;
  readonly body: string;
}

function problem(outcome: Outcome, allowConflict: boolean): string | undefined {
  if (outcome.status === 200) return undefined;
  if (outcome.status >= 500) return `status ${outcome.status}`;
  let body: { schemas?: unknown; status?: unknown; scimType?: unknown; detail?: unknown };
  try {
    body = JSON.parse(outcome.body) as typeof body;
  } catch {
    return 'error body is not JSON';
  }
  const expected = allowConflict && outcome.status === 409 ? 'uniqueness' : undefined;
  if (outcome.status !== 400 && expected === undefined) return `status ${outcome.status}`;
  if (JSON.stringify(body.schemas) !== JSON.stringify([ERROR]) || body.status !== String(outcome.status)) return 'not a SCIM error body';
  if (typeof body.scimType !== 'string' || body.scimType === '') return 'no scimType';
  if (expected !== undefined && body.scimType !== expected) return `scimType ${body.scimType} on a 409`;
  if (typeof body.detail !== 'string') return 'no detail';
  return undefined;
}

/** Runs `total` generated requests, `CONCURRENCY` at a time; returns the first few failures. */
async function fuzz(seed: number, total: number, request: (random: Random) => { run: () => Promise<Outcome>; input: unknown }, allowConflict: boolean) {
  const random = seeded(seed);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  for (let done = 0; done < total; done += CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONCURRENCY, total - done) }, () => request(random));
    const outcomes = await Promise.all(batch.map((item) => item.run()));
    outcomes.forEach((outcome, index) => {
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      const fault = problem(outcome, allowConflict);
      if (fault !== undefined && failures.length < 5) {
        failures.push(`${fault}: ${JSON.stringify(batch[index]?.input).slice(0, 300)} → ${outcome.body.slice(0, 300)}${outcome.status >= 500 ? ` log: ${errorLog.join('\n')}` : ''}`);
      }
    });
  }
  return { failures, statuses };
}

const getFilter = (random: Random) => {
  const filter = randomFilter(random);
  return {
    input: filter,
    run: async (): Promise<Outcome> => {
      const response = await fixture.app.inject({ method: 'GET', url: `/scim/v2/Users?filter=${encodeURIComponent(filter)}&count=5`, headers: fixture.headers });
      return { status: response.statusCode, body: response.body };
    },
  };
};

const patchUser = (random: Random) => {
  const id = userIds[Math.floor(random() * userIds.length)] as string;
  const body = randomPatchBody(random);
  return {
    input: body,
    run: async (): Promise<Outcome> => {
      const response = await fixture.app.inject({ method: 'PATCH', url: `/scim/v2/Users/${id}`, headers: fixture.headers, payload: JSON.stringify(body) });
      return { status: response.statusCode, body: response.body };
    },
  };
};

describe('SCIM fuzz', () => {
  for (let round = 0; round < FILTER_ROUNDS; round += 1) {
    it(`filters, round ${round + 1} (${FILTERS_PER_ROUND} requests, seed ${1000 + round})`, async () => {
      const { failures, statuses } = await fuzz(1000 + round, FILTERS_PER_ROUND, getFilter, false);
      expect(failures).toEqual([]);
      // The generator must reach both sides: valid filters that run and broken ones that are refused.
      expect(statuses.get(200) ?? 0).toBeGreaterThan(FILTERS_PER_ROUND / 20);
      expect(statuses.get(400) ?? 0).toBeGreaterThan(FILTERS_PER_ROUND / 20);
    });
  }

  for (let round = 0; round < PATCH_ROUNDS; round += 1) {
    it(`PATCH bodies, round ${round + 1} (${PATCHES_PER_ROUND} requests, seed ${2000 + round})`, async () => {
      const { failures, statuses } = await fuzz(2000 + round, PATCHES_PER_ROUND, patchUser, true);
      expect(failures).toEqual([]);
      expect(statuses.get(200) ?? 0).toBeGreaterThan(PATCHES_PER_ROUND / 50);
      expect(statuses.get(400) ?? 0).toBeGreaterThan(PATCHES_PER_ROUND / 20);
    });
  }
});
