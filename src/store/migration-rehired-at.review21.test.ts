import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PG_URL, freshSchema } from '../../test/support/pg.js';
import type { LifecycleEvent } from '../core/types.js';
import { openStore, type Store } from './index.js';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { rehiredAtBackfill } from './migration-rehired-at.js';
import { identity } from './testing/builders.js';
import { postgresBackend, sqliteBackend, type SqlBackend } from './testing/sql-backends.js';

/**
 * Migration 0018 (Identity.rehiredAt from the event history) on stores whose
 * identities have many events each: the right value per identity, and in
 * time proportional to the events (each identity's events read through their
 * index), not to identities times events.
 */
const hour = (h: number): string => new Date(Date.UTC(2024, 0, 1) + h * 3_600_000).toISOString();
const event = (identityId: string, kind: LifecycleEvent['kind'], h: number, reasons: readonly string[]): LifecycleEvent =>
  ({ kind, identityId, effectiveAt: hour(h), recordedAt: hour(h), reasons });
const REWIND = ['update roster_identities set rehired_at = null', "delete from kysely_migration where name >= '0018_identity_rehired_at'"];


/** Stores `identities`, each with `perIdentity(id)` events, then rewinds the store to before 0018 and opens it (0018 runs). */
async function migrated(b: SqlBackend, ids: readonly string[], perIdentity: (id: string) => LifecycleEvent[]): Promise<{ store: Store }> {
  const store = await b.open();
  try {
    for (let i = 0; i < ids.length; i += 2_000) {
      const slice = ids.slice(i, i + 2_000);
      await store.identities.upsertMany(slice.map((id) => identity(id)));
      await store.identities.appendEvents(slice.flatMap(perIdentity));
    }
  } finally {
    await store.close();
  }
  await b.exec(REWIND);
  return { store: await b.open() };
}

describe.each([['sqlite'], ['postgres']])('review 21: migration 0018 with many events per identity (%s)', (kind) => {
  const made: SqlBackend[] = [];
  afterAll(async () => {
    for (const b of made) await b.cleanup();
  });
  const backend = async (): Promise<SqlBackend> => {
    const b = kind === 'sqlite' ? sqliteBackend('roster-0018') : await postgresBackend('roster_0018');
    made.push(b);
    return b;
  };

  it('takes each identity\'s latest rehire unless a termination was taken back after it', async () => {
    const history: Record<string, LifecycleEvent[]> = {
      // Rehired twice; a termination taken back between them does not drop the later one.
      TWICE: [event('TWICE', 'rehire', 1, ['rehire']), event('TWICE', 'mover', 2, ['leaver.reverted']), event('TWICE', 'rehire', 3, ['rehire.new_key', 'rehire'])],
      // The termination taken back after the only rehire, in a mover with other reasons.
      UNDONE: [event('UNDONE', 'rehire', 1, ['rehire']), event('UNDONE', 'mover', 2, ['mover.title', 'leaver.reverted'])],
      // Ids differing only by case are other people: each keeps its own history.
      e1: [event('e1', 'rehire', 5, ['rehire'])],
      E1: [event('E1', 'leave.start', 6, ['leave.start'])],
      // A leave after the rehire: the rehire stays recorded.
      LEAVE: [event('LEAVE', 'rehire', 1, ['rehire']), event('LEAVE', 'leave.start', 2, ['leave.start']), event('LEAVE', 'leave.end', 3, ['leave.end'])],
    };
    const noise = (id: string): LifecycleEvent[] => Array.from({ length: 20 }, (_, i) => event(id, 'mover', 10 + i, ['mover.title']));
    const { store } = await migrated(await backend(), Object.keys(history), (id) => [...history[id]!, ...noise(id)]);
    try {
      const got = Object.fromEntries((await store.identities.list()).map((i) => [i.id, i.rehiredAt]));
      expect(got).toEqual({ TWICE: hour(3), UNDONE: undefined, e1: hour(5), E1: undefined, LEAVE: hour(1) });
    } finally {
      await store.close();
    }
  });

});

describe('review 21: migration 0018 on PostgreSQL reads each identity\'s events through their index', () => {
  it('both statements look events up by roster_events_identity (compared in "C" they could not: 26 s at 12,000 identities)', async () => {
    const fresh = await freshSchema('roster_0018_plan');
    const store = await openStore(fresh.url);
    await store.close();
    // Compiled only (no connection): the SQL the migration runs.
    const compiler = new Kysely<unknown>({ dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() } });
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`set search_path to "${fresh.schema}"`);
      // With sequential scans priced out, the index is used wherever it can serve the lookup.
      await client.query('set enable_seqscan = off');
      for (const statement of rehiredAtBackfill('postgres')) {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain ${statement.compile(compiler).sql}`);
        expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('roster_events_identity');
      }
    } finally {
      await client.end();
      await compiler.destroy();
      await fresh.drop();
    }
  });
});
