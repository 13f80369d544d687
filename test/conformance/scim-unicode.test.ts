import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import { GROUP_SCHEMA, USER_SCHEMA, parseFilter, translateFilter, translateSort } from '../../src/scim/filter/index.js';
import { openStore } from '../../src/store/index.js';
import type { ScimQuery, ScimWrite, Store } from '../../src/store/types.js';
import { storeBackEnds, type OpenedStore } from '../support/store-backends.js';

/**
 * userName and displayName are caseExact=false (RFC 7643 §4.1.1, §4.2):
 * `ZOË` and `Zoë` are one name, for uniqueness, filters and sorting alike,
 * on every back end. SQLite's own lower() folds ASCII only; Roster's
 * connections replace it (store/sqlite.ts), and migration 0007 rebuilds the
 * indexes an older version built with the old one.
 */
function user(id: string, userName: string): ScimWrite {
  return { resourceType: 'User', id, uniqueName: userName, data: { schemas: [USER_SCHEMA.core.id], userName } };
}

function group(id: string, displayName: string): ScimWrite {
  return { resourceType: 'Group', id, uniqueName: displayName, data: { schemas: [GROUP_SCHEMA.core.id], displayName } };
}

describe.each(storeBackEnds('roster-scim-unicode'))('SCIM names beyond ASCII: $name', (backEnd) => {
  let opened: OpenedStore;
  let store: Store;

  beforeEach(async () => {
    opened = await backEnd.open();
    store = opened.store;
    for (const [id, name] of [['u1', 'Zoë'], ['u2', 'Łukasz'], ['u3', 'émile'], ['u4', 'emma'], ['u5', 'ÅSA'], ['u6', 'Ørjan']] as const) await store.scim.create(user(id, name));
    await store.scim.create(group('g1', 'Équipe Süd'));
  });

  afterEach(async () => {
    await opened.close();
  });

  const ids = async (resourceType: 'User' | 'Group', text: string, extra: Partial<ScimQuery> = {}): Promise<string[]> => {
    const schema = resourceType === 'User' ? USER_SCHEMA : GROUP_SCHEMA;
    const filter = translateFilter(parseFilter(text), schema, store.dialect, store.scim.columnOf, { dataColumn: 'data' });
    return (await store.scim.query({ resourceType, filter, offset: 0, limit: 50, ...extra })).resources.map((r) => r.id);
  };

  it('a name that differs only in the case of letters beyond ASCII is taken', async () => {
    for (const [id, name] of [['x1', 'ZOË'], ['x2', 'łUKASZ'], ['x3', 'åsa']] as const) {
      const refused = await store.scim.create(user(id, name)).then(() => undefined, (error: unknown) => error);
      expect(isRosterError(refused, 'store.conflict'), `${name} was stored next to its other case`).toBe(true);
    }
    const again = await store.scim.create(group('g2', 'ÉQUIPE SÜD')).then(() => undefined, (error: unknown) => error);
    expect(isRosterError(again, 'store.conflict')).toBe(true);
  });

  it('filters match whatever the case: eq, sw, co, ew, and the displayName index', async () => {
    expect(await ids('User', 'userName eq "ZOË"')).toEqual(['u1']);
    expect(await ids('User', 'userName eq "łukasz"')).toEqual(['u2']);
    expect(await ids('User', 'userName sw "ÉMI"')).toEqual(['u3']);
    expect(await ids('User', 'userName co "ÜKA"')).toEqual([]);
    expect(await ids('User', 'userName co "UKA"')).toEqual(['u2']);
    expect(await ids('User', 'userName ew "SA"')).toEqual(['u5']);
    expect(await ids('User', 'userName eq "åsa"')).toEqual(['u5']);
    expect(await ids('Group', 'displayName eq "équipe süd"')).toEqual(['g1']);
  });

  it('sorts by the folded name on both back ends', async () => {
    const sql = translateSort('userName', USER_SCHEMA, store.dialect, store.scim.columnOf);
    const page = await store.scim.query({ resourceType: 'User', offset: 0, limit: 50, sort: { sql, descending: false } });
    // Code point order of the lower-case forms: emma, zoë, åsa (U+00E5), émile (U+00E9), ørjan (U+00F8), łukasz (U+0142).
    // Folded as ASCII only, Ørjan (U+00D8) would come before åsa.
    expect(page.resources.map((r) => r.id)).toEqual(['u4', 'u1', 'u5', 'u3', 'u6', 'u2']);
  });
});

describe('SCIM names beyond ASCII: upgrading a SQLite store (migration 0007)', () => {
  let dir: string;
  let url: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-scim-0007-'));
    url = `sqlite:${join(dir, 'roster.db')}`;
    (await openStore(url)).close();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Rows written the way a version before 0007 wrote them: through SQLite's own, ASCII-only lower(). */
  function writeAsBefore(names: readonly string[]): void {
    const database = new BetterSqlite3(join(dir, 'roster.db'));
    try {
      const insert = database.prepare(`insert into roster_scim_resources (resource_type, id, data, unique_name, version, created_at, updated_at)
        values ('User', ?, ?, ?, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`);
      names.forEach((name, i) => insert.run(`old${i}`, JSON.stringify({ schemas: [USER_SCHEMA.core.id], userName: name }), name));
      // Back to before 0007: its record and those of the migrations after it (which may run again) go.
      database.prepare("delete from kysely_migration where name >= '0007_unicode_lower'").run();
    } finally {
      database.close();
    }
  }

  it('rebuilds the indexes, so a name stored before is found by its other case', async () => {
    writeAsBefore(['ÅSA', 'Zoë']);
    const store = await openStore(url);
    try {
      const filter = translateFilter(parseFilter('userName eq "åsa"'), USER_SCHEMA, store.dialect, store.scim.columnOf, { dataColumn: 'data' });
      expect((await store.scim.query({ resourceType: 'User', filter, offset: 0, limit: 5 })).resources.map((r) => r.id)).toEqual(['old0']);
      const refused = await store.scim.create(user('new', 'ZOË')).then(() => undefined, (error: unknown) => error);
      expect(isRosterError(refused, 'store.conflict')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('stops with both names when two stored names are now the same one', async () => {
    writeAsBefore(['Zoë', 'ZOË', 'Ada']);
    const opening = await openStore(url).then(async (store) => {
      await store.close();
      return undefined;
    }, (error: unknown) => error);
    expect(isRosterError(opening, 'store.unavailable')).toBe(true);
    expect(String((opening as Error).message)).toMatch(/differ only in letter case.*User: "(Zoë|ZOË)", "(Zoë|ZOË)"/);
  });
});
