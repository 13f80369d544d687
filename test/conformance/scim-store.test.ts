import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import { GROUP_SCHEMA, USER_SCHEMA, parseFilter, translateFilter, translateSort } from '../../src/scim/filter/index.js';
import { migrations } from '../../src/store/migrations.js';
import { GROUPS_OF_SQL, GROUPS_OF_SQL_PG, scimQuerySql } from '../../src/store/scim.js';
import type { ScimQuery, ScimWrite, Store } from '../../src/store/types.js';
import { storeBackEnds, type OpenedStore } from '../support/store-backends.js';

/**
 * The SCIM resource store on every back end (see support/store-backends.ts).
 */
type Opened = OpenedStore;
const backEnds = storeBackEnds('roster-scim');

const T0 = new Date('2026-01-01T00:00:00.000Z');
const later = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

function user(id: string, userName: string, extra: Readonly<Record<string, unknown>> = {}): ScimWrite {
  return { resourceType: 'User', id, uniqueName: userName, data: { schemas: [USER_SCHEMA.core.id], userName, ...extra } };
}

function group(id: string, displayName: string, members: readonly unknown[] = []): ScimWrite {
  const data = { schemas: [GROUP_SCHEMA.core.id], displayName, ...(members.length > 0 ? { members } : {}) };
  return { resourceType: 'Group', id, uniqueName: displayName, data };
}

/** Members naming these ids, as a SCIM client sends them. */
const refs = (...ids: string[]): { value: string }[] => ids.map((value) => ({ value }));

/** The error a promise rejects with (the test fails when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (isRosterError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe.each(backEnds)('SCIM store conformance: $name', (backEnd) => {
  let opened: Opened;
  let store: Store;

  beforeEach(async () => {
    opened = await backEnd.open();
    store = opened.store;
  });
  afterEach(async () => {
    await opened.close();
  });

  const filter = (text: string, schema = USER_SCHEMA): ScimQuery['filter'] =>
    translateFilter(parseFilter(text), schema, store.dialect, store.scim.columnOf, { dataColumn: 'data' });
  const ids = async (query: Partial<ScimQuery>): Promise<string[]> =>
    (await store.scim.query({ resourceType: 'User', offset: 0, limit: 100, ...query })).resources.map((r) => r.id);

  describe('writes', () => {
    it('creates, gets, replaces and deletes, with versions and times', async () => {
      const created = await store.scim.create(user('u1', 'alice', { active: true }), T0);
      expect(created).toStrictEqual({
        resourceType: 'User', id: 'u1', data: user('u1', 'alice', { active: true }).data, version: 1, created: T0.toISOString(), lastModified: T0.toISOString(),
      });
      expect(await store.scim.get('User', 'u1')).toStrictEqual(created);
      expect(await store.scim.get('Group', 'u1')).toBeUndefined();
      expect(await store.scim.get('User', 'nobody')).toBeUndefined();

      const replaced = await store.scim.replace(user('u1', 'alice', { active: false }), { at: later(5) });
      expect(replaced).toMatchObject({ version: 2, created: T0.toISOString(), lastModified: later(5).toISOString(), data: { active: false } });
      expect(await store.scim.get('User', 'u1')).toStrictEqual(replaced);
      expect((await store.scim.replace(user('u1', 'alice'), { ifVersion: 2 })).version).toBe(3);

      expect(await store.scim.delete('User', 'u1')).toBe(true);
      expect(await store.scim.get('User', 'u1')).toBeUndefined();
      expect(await store.scim.delete('User', 'u1')).toBe(false);
      expect(await store.scim.delete('User', 'u1', { ifVersion: 3 })).toBe(false);
    });

    it('refuses a stale version on replace and delete, and a replace of nothing', async () => {
      await store.scim.create(user('u1', 'alice'));
      await store.scim.replace(user('u1', 'alice', { title: 'v2' }));
      const staleReplace = await refusal(store.scim.replace(user('u1', 'alice', { title: 'lost' }), { ifVersion: 1 }));
      expect(staleReplace).toMatchObject({ code: 'request.precondition_failed', details: { version: 2 } });
      expect((await refusal(store.scim.delete('User', 'u1', { ifVersion: 1 }))).code).toBe('request.precondition_failed');
      expect(await store.scim.get('User', 'u1')).toMatchObject({ version: 2, data: { title: 'v2' } });
      expect((await refusal(store.scim.replace(user('u9', 'nobody')))).code).toBe('store.not_found');
      expect((await refusal(store.scim.replace(user('u9', 'nobody'), { ifVersion: 1 }))).code).toBe('store.not_found');
      expect(await store.scim.delete('User', 'u1', { ifVersion: 2 })).toBe(true);
    });

    it('gets many in id order, skipping missing ids and repeats', async () => {
      await store.scim.createMany([user('b', 'b'), user('a', 'a'), user('c', 'c'), group('a', 'g')]);
      expect((await store.scim.getMany('User', ['c', 'x', 'a', 'c'])).map((r) => `${r.resourceType}:${r.id}`)).toEqual(['User:a', 'User:c']);
      expect(await store.scim.getMany('User', [])).toEqual([]);
    });

    it('does not move the store serial', async () => {
      const before = await store.state.serial();
      await store.scim.create(user('u1', 'alice'));
      await store.scim.createMany([user('u2', 'bob')]);
      await store.scim.replace(user('u1', 'alice2'));
      await store.scim.delete('User', 'u2');
      expect(await store.state.serial()).toBe(before);
    });
  });

  describe('uniqueness', () => {
    it('refuses a second name that differs only in case, per resource type', async () => {
      await store.scim.create(user('u1', 'Alice'));
      const refused = await refusal(store.scim.create(user('u2', 'alice')));
      expect(refused).toMatchObject({ code: 'store.conflict', details: { scimType: 'uniqueness' } });
      expect(refused.message).toContain('"alice"');
      await store.scim.create(group('g1', 'alice'));
      expect(await store.scim.count('User')).toBe(1);
      expect(await store.scim.count('Group')).toBe(1);
    });

    it('refuses a taken id', async () => {
      await store.scim.create(user('u1', 'alice'));
      const refused = await refusal(store.scim.create(user('u1', 'bob')));
      expect(refused).toMatchObject({ code: 'store.conflict', details: { scimType: 'uniqueness' } });
      expect(refused.message).toContain('"u1"');
    });

    it('refuses a replace onto a taken name and keeps the resource as it was', async () => {
      await store.scim.createMany([user('u1', 'alice'), user('u2', 'bob')]);
      const refused = await refusal(store.scim.replace(user('u2', 'ALICE')));
      expect(refused).toMatchObject({ code: 'store.conflict', details: { scimType: 'uniqueness' } });
      expect(await store.scim.get('User', 'u2')).toMatchObject({ version: 1, data: { userName: 'bob' } });
      expect((await store.scim.replace(user('u1', 'ALICE'))).data).toMatchObject({ userName: 'ALICE' });
    });

    it('lets exactly one of concurrent creates of the same name win', async () => {
      const other = await opened.second();
      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? store : other).scim.create(user(`u${i}`, i % 2 === 0 ? 'racer' : 'RACER'))),
      );
      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
      for (const attempt of attempts) {
        if (attempt.status === 'rejected') expect(isRosterError(attempt.reason, 'store.conflict')).toBe(true);
      }
      expect(await store.scim.count('User')).toBe(1);
    });

    it('writes a batch all or nothing', async () => {
      await store.scim.create(user('u1', 'taken'));
      const refused = await refusal(store.scim.createMany([user('u2', 'fresh'), user('u3', 'TAKEN'), user('u4', 'also fresh')]));
      expect(refused).toMatchObject({ code: 'store.conflict', details: { scimType: 'uniqueness' } });
      expect(refused.message).toMatch(/taken/i);
      expect((await refusal(store.scim.createMany([user('u5', 'twin'), user('u6', 'Twin')]))).code).toBe('store.conflict');
      expect(await store.scim.count('User')).toBe(1);
    });
  });

  describe('queries', () => {
    beforeEach(async () => {
      await store.scim.create(user('u1', 'bjensen', { name: { familyName: 'Jensen' }, externalId: 'e-1', emails: [{ value: 'b@example.com', type: 'work' }] }), later(3));
      await store.scim.create(user('u2', 'JSmith', { name: { familyName: 'Smith' }, emails: [{ value: 'j@example.org', type: 'home' }] }), later(1));
      await store.scim.create(user('u3', 'amiller', { name: { familyName: 'miller' }, emails: [{ value: 'a@example.com', type: 'home' }] }), later(2));
      await store.scim.create(user('u4', 'nobody'), later(2));
      await store.scim.create(group('g1', 'Admins'), later(0));
    });

    it('filters with a translated SCIM filter, columns included', async () => {
      expect(await ids({ filter: filter('userName eq "JSMITH"') })).toEqual(['u2']);
      expect(await ids({ filter: filter('emails[type eq "work" and value co "example.com"]') })).toEqual(['u1']);
      expect(await ids({ filter: filter('externalId eq "e-1" or name.familyName sw "MIL"') })).toEqual(['u3', 'u1']);
      expect(await ids({ filter: filter(`meta.created gt "${later(1).toISOString()}"`) })).toEqual(['u3', 'u4', 'u1']);
      expect(await ids({ filter: filter('id eq "u4" or meta.resourceType eq "Group"') })).toEqual(['u4']);
      expect(await ids({ filter: filter('displayName eq "admins"', GROUP_SCHEMA), resourceType: 'Group' })).toEqual(['g1']);
      const none = await store.scim.query({ resourceType: 'User', filter: filter('userName eq "x\' OR \'1\'=\'1"'), offset: 0, limit: 10 });
      expect(none).toEqual({ total: 0, resources: [] });
    });

    it('orders by created then id by default, and by a translated sort both ways', async () => {
      expect(await ids({})).toEqual(['u2', 'u3', 'u4', 'u1']);
      const byFamily = translateSort('name.familyName', USER_SCHEMA, store.dialect, store.scim.columnOf);
      expect(await ids({ sort: { sql: byFamily, descending: false } })).toEqual(['u1', 'u3', 'u2', 'u4']);
      expect(await ids({ sort: { sql: byFamily, descending: true } })).toEqual(['u4', 'u2', 'u3', 'u1']);
      const byName = translateSort('userName', USER_SCHEMA, store.dialect, store.scim.columnOf);
      expect(byName).toContain('unique_name');
      expect(await ids({ sort: { sql: byName, descending: false } })).toEqual(['u3', 'u1', 'u2', 'u4']);
      const byEmail = translateSort('emails', USER_SCHEMA, store.dialect, store.scim.columnOf);
      expect(await ids({ sort: { sql: byEmail, descending: true }, filter: filter('emails pr') })).toEqual(['u2', 'u1', 'u3']);
    });

    it('pages with offset and limit and always tells the total', async () => {
      const page = await store.scim.query({ resourceType: 'User', offset: 1, limit: 2 });
      expect(page.total).toBe(4);
      expect(page.resources.map((r) => r.id)).toEqual(['u3', 'u4']);
      expect(await store.scim.query({ resourceType: 'User', offset: 0, limit: 0 })).toEqual({ total: 4, resources: [] });
      expect(await store.scim.query({ resourceType: 'User', offset: 9, limit: 5 })).toEqual({ total: 4, resources: [] });
      const filtered = await store.scim.query({ resourceType: 'User', filter: filter('emails pr'), offset: 2, limit: 5 });
      expect({ total: filtered.total, ids: filtered.resources.map((r) => r.id) }).toEqual({ total: 3, ids: ['u1'] });
      expect((await refusal(store.scim.query({ resourceType: 'User', offset: -1, limit: 5 }))).code).toBe('request.invalid');
    });

    it('iterates a type in id order over several pages', async () => {
      await store.scim.createMany(Array.from({ length: 21 }, (_, i) => user(`p${String(i).padStart(2, '0')}`, `pager${i}`)));
      const seen: string[] = [];
      for await (const resource of store.scim.iterate('User', 10)) seen.push(resource.id);
      expect(seen).toHaveLength(25);
      expect(seen).toEqual([...seen].sort());
      expect(seen[0]).toBe('p00');
      const groups: string[] = [];
      for await (const resource of store.scim.iterate('Group')) groups.push(resource.id);
      expect(groups).toEqual(['g1']);
    });
  });

  describe('bulk and indexes', () => {
    const USERS = 5_000;

    async function loadUsers(): Promise<void> {
      await store.scim.createMany(Array.from({ length: USERS }, (_, i) => user(`id-${i}`, `user${String(i).padStart(5, '0')}`, {
        externalId: `ext-${i}`, displayName: `User ${i}`, emails: [{ value: `user${i}@example.com`, type: 'work', primary: true }],
      })));
      await store.scim.createMany(Array.from({ length: 50 }, (_, i) => group(`g-${i}`, `Group ${i}`)));
    }

    /** The query plan of exactly what ScimStore.query runs, one line per step. */
    async function plan(query: ScimQuery, part: 'page' | 'count'): Promise<string> {
      const compiled = scimQuerySql(store.dialect, query, part);
      const explain = store.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
      const result = await opened.db.executeQuery<Record<string, string>>(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
      return result.rows.map((row) => row.detail ?? row['QUERY PLAN']).join('\n');
    }

    it('creates 5,000 in one batch and counts them', async () => {
      await loadUsers();
      expect(await store.scim.count('User')).toBe(USERS);
      expect(await store.scim.count('Group')).toBe(50);
      expect(await store.scim.get('User', 'id-4321')).toMatchObject({ version: 1, data: { userName: 'user04321', externalId: 'ext-4321' } });
    });

    it.each([
      ['User', 'userName eq "USER01234"', 'roster_scim_resources_name', 'id-1234'],
      ['User', 'externalId eq "ext-4321"', 'roster_scim_resources_external', 'id-4321'],
      ['Group', 'displayName eq "group 7"', 'roster_scim_resources_display', 'g-7'],
    ] as const)('%s %s uses %s', async (resourceType, text, index, expected) => {
      await loadUsers();
      if (store.dialect === 'postgres') await sql`analyze roster_scim_resources`.execute(opened.db);
      const schema = resourceType === 'User' ? USER_SCHEMA : GROUP_SCHEMA;
      const query: ScimQuery = { resourceType, filter: filter(text, schema), offset: 0, limit: 10 };
      for (const part of ['page', 'count'] as const) {
        const steps = await plan(query, part);
        expect(steps).toContain(index);
        expect(steps).not.toMatch(/SCAN roster_scim_resources\b(?! USING)|Seq Scan/);
      }
      expect((await store.scim.query(query)).resources.map((r) => r.id)).toEqual([expected]);
    });

    it('pages an unfiltered list in creation order from an index, without sorting', async () => {
      await loadUsers();
      if (store.dialect === 'postgres') await sql`analyze roster_scim_resources`.execute(opened.db);
      const steps = await plan({ resourceType: 'User', offset: 100, limit: 50 }, 'page');
      expect(steps).toContain('roster_scim_resources_created');
      expect(steps).not.toMatch(/TEMP B-TREE|Sort/);
    });
  });

  describe('group membership', () => {
    /** groupsOf as `member → "group:name"` strings, for short expectations. */
    async function groupsOf(...memberIds: string[]): Promise<Record<string, string[]>> {
      const found = await store.scim.groupsOf(memberIds);
      return Object.fromEntries([...found].map(([member, groups]) => [member, groups.map((g) => `${g.id}:${g.displayName}`)]));
    }

    beforeEach(async () => {
      await store.scim.createMany([user('u1', 'alice'), user('u2', 'bob'), user('u3', 'carol')]);
    });

    it('follows create, createMany, replace and delete, nested Groups included', async () => {
      await store.scim.create(group('gA', 'Admins', refs('u1', 'u2')));
      await store.scim.createMany([group('gB', 'Builders', refs('u2', 'gA')), group('gC', 'Empty')]);
      expect(await groupsOf('u1', 'u2', 'u3', 'gA', 'gB', 'nobody')).toEqual({
        u1: ['gA:Admins'], u2: ['gA:Admins', 'gB:Builders'], u3: [], gA: ['gB:Builders'], gB: [], nobody: [],
      });

      await store.scim.replace(group('gA', 'Admins2', refs('u2', 'u3')));
      expect(await groupsOf('u1', 'u2', 'u3')).toEqual({ u1: [], u2: ['gA:Admins2', 'gB:Builders'], u3: ['gA:Admins2'] });
      await store.scim.replace(group('gB', 'Builders', refs('u1', 'gA')));
      await store.scim.replace(group('gC', 'Empty', refs('u1')));
      expect(await groupsOf('u1', 'u2', 'gA')).toEqual({ u1: ['gB:Builders', 'gC:Empty'], u2: ['gA:Admins2'], gA: ['gB:Builders'] });

      // A Group's rows go with it; rows naming a deleted member stay until its Groups are replaced (the server does so).
      expect(await store.scim.delete('Group', 'gA')).toBe(true);
      expect(await groupsOf('u2', 'u3', 'gA')).toEqual({ u2: [], u3: [], gA: ['gB:Builders'] });
      expect(await store.scim.delete('User', 'u1')).toBe(true);
      expect(await groupsOf('u1')).toEqual({ u1: ['gB:Builders', 'gC:Empty'] });
      await store.scim.replace(group('gB', 'Builders', []));
      expect(await groupsOf('u1', 'gA')).toEqual({ u1: ['gC:Empty'], gA: [] });
      expect(await store.scim.groupsOf([])).toEqual(new Map());
    });

    it('changes nothing when a write is refused', async () => {
      await store.scim.create(group('gA', 'Admins', refs('u1')));
      await store.scim.replace(group('gA', 'Admins', refs('u1', 'u2')));
      expect((await refusal(store.scim.replace(group('gA', 'Admins', refs('u3')), { ifVersion: 1 }))).code).toBe('request.precondition_failed');
      expect((await refusal(store.scim.create(group('gB', 'ADMINS', refs('u3'))))).code).toBe('store.conflict');
      expect((await refusal(store.scim.createMany([group('gC', 'Fresh', refs('u3')), group('gD', 'admins', refs('u3'))]))).code).toBe('store.conflict');
      expect((await refusal(store.scim.delete('Group', 'gA', { ifVersion: 1 }))).code).toBe('request.precondition_failed');
      expect(await groupsOf('u1', 'u2', 'u3')).toEqual({ u1: ['gA:Admins'], u2: ['gA:Admins'], u3: [] });
    });

    it('counts only string values of member objects, each once', async () => {
      const odd = [{ value: 'u1' }, { value: 'u1', type: 'User' }, { value: 7 }, 'u2', null, { display: 'u3' }, ['u3']];
      await store.scim.create(group('gA', 'Odd', odd));
      expect(await groupsOf('u1', 'u2', 'u3')).toEqual({ u1: ['gA:Odd'], u2: [], u3: [] });
    });

    it('backfills the membership of stored Groups when migrating', async () => {
      await store.scim.createMany([group('gA', 'Admins', [...refs('u1', 'u2'), { value: 'u1' }, 'u3']), group('gB', 'Builders', refs('gA'))]);
      await store.scim.create({ resourceType: 'Group', id: 'gC', uniqueName: 'Odd', data: { displayName: 'Odd', members: { value: 'u3' } } });
      await sql`drop table roster_scim_members`.execute(opened.db);
      await sql`drop index roster_scim_group_names`.execute(opened.db);
      await migrations(store.dialect)['0004_scim_members']!.up(opened.db);
      expect(await groupsOf('u1', 'u2', 'u3', 'gA')).toEqual({ u1: ['gA:Admins'], u2: ['gA:Admins'], u3: [], gA: ['gB:Builders'] });
    });

    it('filters members[value eq] by the element, not text that looks like one', async () => {
      await store.scim.createMany([group('gA', 'Admins', refs('u1')), group('gB', 'Strings', ['{"value":"u1"}', 'u1'])]);
      const members = filter('members[value eq "u1"]', GROUP_SCHEMA);
      expect((await store.scim.query({ resourceType: 'Group', filter: members, offset: 0, limit: 10 })).resources.map((r) => r.id)).toEqual(['gA']);
    });

    it('finds the Groups of a page of members through the member_id index', async () => {
      await store.scim.createMany(Array.from({ length: 2_000 }, (_, i) => user(`p${i}`, `pager${i}`)));
      await store.scim.createMany(Array.from({ length: 40 }, (_, g) => group(`g${g}`, `Group ${g}`, refs(...Array.from({ length: 100 }, (_, i) => `p${(g * 50 + i) % 2_000}`)))));
      if (store.dialect === 'postgres') await sql`analyze`.execute(opened.db);
      const page = Array.from({ length: 100 }, (_, i) => `p${i}`);
      const explain = store.dialect === 'sqlite' ? `EXPLAIN QUERY PLAN ${GROUPS_OF_SQL}` : `EXPLAIN ${GROUPS_OF_SQL_PG}`;
      const result = await opened.db.executeQuery<Record<string, string>>(CompiledQuery.raw(explain, [JSON.stringify(page)]));
      const steps = result.rows.map((row) => row.detail ?? row['QUERY PLAN']).join('\n');
      expect(steps).toContain('roster_scim_members_member');
      // SQLite reads each Group's name from the covering index, not from its row (which holds the whole document).
      if (store.dialect === 'sqlite') expect(steps).toContain('COVERING INDEX roster_scim_group_names');
      expect(steps).not.toMatch(/SCAN (roster_scim_members|m)\b(?! USING)|Seq Scan on roster_scim_members/);
      const found = await store.scim.groupsOf(page);
      expect(found.get('p0')!.map((g) => g.id)).toEqual(['g0', 'g39']);
      expect(found.get('p60')!.map((g) => g.id)).toEqual(['g0', 'g1']);
      expect([...found.values()].reduce((n, groups) => n + groups.length, 0)).toBe(200);
    });
  });

  describe('text', () => {
    it('round-trips Unicode exactly and finds it by filter', async () => {
      const data = {
        schemas: [USER_SCHEMA.core.id], userName: 'Zoë.😀', displayName: '中文 עברית e\u0301 \u2028 "quoted" \\ back\nslash',
        name: { givenName: '𝒜strid', familyName: "O'Brien" }, 'urn:example:ext:1.0:User': { note: '\u{10FFFF}\t' },
      };
      const created = await store.scim.create({ resourceType: 'User', id: 'ü-1', uniqueName: data.userName, data });
      expect(created.data).toStrictEqual(data);
      expect((await store.scim.get('User', 'ü-1'))?.data).toStrictEqual(data);
      // userName is caseExact=false: Ë and ë are one letter on both back ends (see scim-unicode.test.ts).
      expect(await ids({ filter: filter('userName eq "ZOË.😀"') })).toEqual(['ü-1']);
      expect(await ids({ filter: filter('userName eq "zoë.😀"') })).toEqual(['ü-1']);
      expect(await ids({ filter: filter('displayName co "עברית"') })).toEqual(['ü-1']);
    });

    it('refuses text PostgreSQL cannot hold, on every back end', async () => {
      for (const bad of ['nul\u0000', 'half \ud800 surrogate']) {
        const refused = await refusal(store.scim.create(user('u1', 'fine', { title: bad })));
        expect(refused).toMatchObject({ code: 'request.invalid', details: { scimType: 'invalidValue' } });
        expect((await refusal(store.scim.createMany([user('u1', bad)]))).code).toBe('request.invalid');
      }
      expect(await store.scim.count('User')).toBe(0);
      await store.scim.create(user('u1', 'fine', { title: 'a literal \\u0000 is text' }));
      expect((await store.scim.get('User', 'u1'))?.data).toMatchObject({ title: 'a literal \\u0000 is text' });
    });
  });
});
