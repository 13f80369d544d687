import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimFixture, TEST_CAPABILITIES, type ScimFixture } from '../../src/api/scim/testing.js';
import type { ScimWrite } from '../../src/store/types.js';
import { freshSchema } from '../support/pg.js';

/**
 * RFC 9865 cursor pagination over HTTP (app.inject) against a real store,
 * the same suite on SQLite and on PostgreSQL: walks that see every resource
 * exactly once and in order, also while resources come and go, and the
 * errors a client gets for a cursor it should not send.
 */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const USERS = 2_500;
const GROUPS = 30;
const PAGE = 100;

type Json = Record<string, any>;

interface Reply {
  readonly status: number;
  readonly body: Json;
}

interface Seeded {
  readonly id: string;
  readonly created: string;
  readonly title?: string;
  readonly active: boolean;
}

const backends: [string, () => Promise<{ url: string; drop(): Promise<void> }>][] = [
  ['sqlite', async () => ({ url: 'sqlite::memory:', drop: async () => undefined })],
  ['postgres', async () => freshSchema('scim_cursor')],
];

/** Byte order of ASCII ids, as both stores compare their key columns. */
const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe.each(backends)('SCIM cursor pagination on %s', (_name, database) => {
  let fixture: ScimFixture;
  let drop: () => Promise<void>;
  const seeded: Seeded[] = [];

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<Reply> => {
    const response = await fixture.app.inject({
      method, url: `/scim/v2${url}`, headers: fixture.headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: response.statusCode, body: response.body === '' ? {} : (response.json() as Json) };
  };
  const expectError = (reply: Reply, scimType: string) => {
    expect(reply.status, JSON.stringify(reply.body)).toBe(400);
    expect(reply.body).toMatchObject({ schemas: [ERROR], status: '400', scimType });
    expect(typeof reply.body.detail).toBe('string');
  };

  /**
   * Follows nextCursor from an empty cursor to the last page, calling
   * `between` after each page; returns the ids in the order sent.
   */
  const walk = async (query: string, between: (page: number) => Promise<void> = async () => undefined) => {
    const ids: string[] = [];
    let cursor = '';
    for (let page = 1; ; page += 1) {
      const reply = await call('GET', `/Users?${query}&count=${PAGE}&cursor=${encodeURIComponent(cursor)}`);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body.schemas).toEqual([LIST]);
      expect(reply.body).not.toHaveProperty('startIndex');
      expect(reply.body.itemsPerPage).toBe(reply.body.Resources.length);
      ids.push(...(reply.body.Resources as Json[]).map((resource) => String(resource.id)));
      if (reply.body.nextCursor === undefined) return ids;
      expect(reply.body.itemsPerPage).toBe(PAGE);
      expect(reply.body.nextCursor).toMatch(/^[A-Za-z0-9._~-]+$/);
      cursor = reply.body.nextCursor as string;
      await between(page);
    }
  };

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    fixture = await scimFixture(db.url, { capabilities: { ...TEST_CAPABILITIES, filter: { maxResults: 1_000 } } });
    // Five batches on five days: within a batch every user has the same created, so the id breaks the tie.
    for (let batch = 0; batch < 5; batch += 1) {
      const created = new Date(Date.UTC(2025, 0, 1 + batch));
      const writes: ScimWrite[] = [];
      for (let i = batch * (USERS / 5); i < (batch + 1) * (USERS / 5); i += 1) {
        // Every third user has no title (sorts last ascending); the rest share seven, so ties are many.
        const user: Seeded = { id: randomUUID(), created: created.toISOString(), active: i % 2 === 0, ...(i % 3 === 0 ? {} : { title: `t${i % 7}` }) };
        seeded.push(user);
        const data = { schemas: [USER], userName: `user-${i}@example.com`, active: user.active, ...(user.title === undefined ? {} : { title: user.title }) };
        writes.push({ resourceType: 'User', id: user.id, data, uniqueName: data.userName });
      }
      await fixture.store.scim.createMany(writes, created);
    }
    await fixture.store.scim.createMany(Array.from({ length: GROUPS }, (_, i) => ({
      resourceType: 'Group', id: randomUUID(), data: { schemas: [GROUP], displayName: `group-${i}` }, uniqueName: `group-${i}`,
    })));
  }, 60_000);

  afterAll(async () => {
    await fixture?.close();
    await drop?.();
  });

  it('ServiceProviderConfig advertises cursor and index pagination, index the default', async () => {
    const config = await call('GET', '/ServiceProviderConfig');
    expect(config.body.pagination).toEqual({ cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: 1_000, maxPageSize: 1_000, cursorTimeout: 3600 });
  });

  it(`walks ${USERS} users with count=${PAGE}: each exactly once, in created-then-id order, with totalResults`, async () => {
    const first = await call('GET', `/Users?cursor&count=${PAGE}`);
    expect(first.body.totalResults).toBe(USERS);
    const expected = [...seeded].sort((a, b) => byId(a.created, b.created) || byId(a.id, b.id)).map((user) => user.id);
    expect(await walk('attributes=userName')).toEqual(expected);
  });

  /** The same query paged by startIndex: the order cursor pages must give when nothing changes. */
  const byIndex = async (query: string, total: number) => {
    const ids: string[] = [];
    for (let start = 1; start <= total; start += 1_000) {
      const page = await call('GET', `/Users?${query}&startIndex=${start}&count=1000`);
      ids.push(...(page.body.Resources as Json[]).map((resource) => String(resource.id)));
    }
    return ids;
  };

  it('walks a filter sorted by an attribute with ties and missing values, in both directions, as index paging orders it', async () => {
    const active = seeded.filter((user) => user.active);
    for (const sortOrder of ['ascending', 'descending']) {
      const query = `filter=${encodeURIComponent('active eq true')}&sortBy=title&sortOrder=${sortOrder}`;
      const ids = await walk(query);
      expect(new Set(ids)).toEqual(new Set(active.map((user) => user.id)));
      expect(ids).toEqual(await byIndex(query, active.length));
      // RFC 7644 §3.4.2.3: users without a title come last ascending, first descending.
      const titled = ids.map((id) => active.find((user) => user.id === id)!.title !== undefined);
      const flips = titled.filter((value, i) => i > 0 && value !== titled[i - 1]).length;
      expect(flips).toBe(1);
      expect(titled[0]).toBe(sortOrder === 'ascending');
    }
  });

  it('walks a filter in the default order, and a boolean sort (numeric keys), as index paging orders them', async () => {
    const titled = seeded.filter((user) => user.title !== undefined);
    const filteredQuery = `filter=${encodeURIComponent('title pr')}`;
    const filtered = await walk(filteredQuery);
    expect(new Set(filtered)).toEqual(new Set(titled.map((user) => user.id)));
    expect(filtered).toEqual(await byIndex(filteredQuery, titled.length));
    const booleanQuery = 'sortBy=active&sortOrder=descending';
    const sorted = await walk(booleanQuery);
    expect(sorted).toHaveLength(USERS);
    expect(sorted).toEqual(await byIndex(booleanQuery, USERS));
    expect(seeded.find((user) => user.id === sorted[0])!.active).toBe(true);
  });

  it('neither repeats nor skips an unchanged user while users are added and deleted mid-walk', async () => {
    const order = [...seeded].sort((a, b) => byId(a.created, b.created) || byId(a.id, b.id)).map((user) => user.id);
    const deleted = new Set([...order.slice(300, 330), ...order.slice(1_200, 1_260)]);
    const added: { id: string; created: string }[] = [];
    const ids = await walk('attributes=userName', async (page) => {
      if (page !== 5) return;
      for (const id of deleted) expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
      for (let i = 0; i < 40; i += 1) {
        const reply = await call('POST', '/Users', { schemas: [USER], userName: `mid-walk-${i}@example.com`, title: `t${i % 7}` });
        expect(reply.status).toBe(201);
        added.push({ id: String(reply.body.id), created: String(reply.body.meta.created) });
      }
    });
    const unchanged = order.filter((id) => !deleted.has(id));
    // Seen before the deletion (the first 500) stay seen; the deleted later ones are gone; the new ones come last (created now).
    const seen = new Set(order.slice(0, 5 * PAGE));
    const addedOrder = added.sort((a, b) => byId(a.created, b.created) || byId(a.id, b.id)).map((user) => user.id);
    expect(ids).toEqual([...order.filter((id) => seen.has(id) || !deleted.has(id)), ...addedOrder]);
    expect(ids.filter((id) => unchanged.includes(id))).toEqual(unchanged);
    // Sorted by title, the new users land on both sides of the cursor: still no repeat, no unchanged user missed.
    const sorted = await walk('sortBy=title', async (page) => {
      if (page !== 3) return;
      for (let i = 40; i < 80; i += 1) {
        expect((await call('POST', '/Users', { schemas: [USER], userName: `mid-walk-${i}@example.com`, title: `t${i % 7}` })).status).toBe(201);
      }
      for (const id of unchanged.slice(0, 20)) expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
    });
    expect(new Set(sorted).size).toBe(sorted.length);
    const gone = new Set(unchanged.slice(0, 20));
    for (const id of unchanged) if (!gone.has(id)) expect(sorted).toContain(id);
  }, 60_000);

  it('pages POST /.search at the root across Users then Groups, each once', async () => {
    const total = (await call('GET', '/Users?count=0')).body.totalResults as number;
    const ids: string[] = [];
    let body: Json = { schemas: [SEARCH], cursor: '', count: 700, attributes: ['id'] };
    for (;;) {
      const reply = await call('POST', '/.search', body);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(reply.body.totalResults).toBe(total + GROUPS);
      ids.push(...(reply.body.Resources as Json[]).map((resource) => String(resource.id)));
      if (reply.body.nextCursor === undefined) break;
      body = { ...body, cursor: reply.body.nextCursor };
    }
    expect(ids).toHaveLength(total + GROUPS);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a tampered or foreign cursor with 400 invalidCursor and a SCIM error body', async () => {
    const first = await call('GET', `/Users?cursor=&count=10`);
    const cursor = first.body.nextCursor as string;
    const [payload, signature] = cursor.split('.') as [string, string];
    const json = Buffer.from(payload, 'base64url').toString();
    const forged = Buffer.from(json.replace(/"i":"[^"]*"/, '"i":""')).toString('base64url');
    expectError(await call('GET', `/Users?count=10&cursor=${forged}.${signature}`), 'invalidCursor');
    expectError(await call('GET', `/Users?count=10&cursor=not-a-cursor`), 'invalidCursor');
    // Bound to its query: another sort order or filter is another walk.
    expectError(await call('GET', `/Users?count=10&sortBy=userName&cursor=${cursor}`), 'invalidCursor');
    expectError(await call('GET', `/Users?count=10&filter=${encodeURIComponent('active eq true')}&cursor=${cursor}`), 'invalidCursor');
    expect((await call('GET', `/Users?count=10&cursor=${cursor}`)).status).toBe(200);
  });

  it('refuses cursor with startIndex: 400 invalidValue', async () => {
    expectError(await call('GET', '/Users?cursor=&startIndex=1'), 'invalidValue');
    expectError(await call('POST', '/Users/.search', { schemas: [SEARCH], cursor: '', startIndex: 1 }), 'invalidValue');
  });

  it('refuses a count changed mid-walk: 400 invalidCount', async () => {
    const first = await call('GET', '/Users?cursor=&count=10');
    expectError(await call('GET', `/Users?count=11&cursor=${first.body.nextCursor as string}`), 'invalidCount');
  });

  it('answers count=0 with totalResults only and no nextCursor; the last page has none either', async () => {
    const none = await call('GET', '/Users?cursor=&count=0');
    expect(none.body).toMatchObject({ itemsPerPage: 0, Resources: [] });
    expect(none.body.totalResults).toBeGreaterThan(0);
    expect(none.body).not.toHaveProperty('nextCursor');
    const exact = await call('GET', `/Groups?cursor=&count=${GROUPS}`);
    expect(exact.body).toMatchObject({ totalResults: GROUPS, itemsPerPage: GROUPS });
    expect(exact.body).not.toHaveProperty('nextCursor');
  });
});
