import { afterAll, describe, expect, it } from 'vitest';
import type { LifecycleEvent } from '../core/types.js';
import { identity } from './testing/builders.js';
import { postgresBackend, sqliteBackend, type SqlBackend } from './testing/sql-backends.js';

/**
 * Identity.rehiredAt (when the current employment was recorded as a new one)
 * is stored and read back by every read path, and migration 0018 gives the
 * identities stored before it the moment of their latest `rehire` event,
 * unless a termination was taken back after it.
 */
const event = (identityId: string, kind: LifecycleEvent['kind'], recordedAt: string, reasons: readonly string[]): LifecycleEvent =>
  ({ kind, identityId, effectiveAt: recordedAt, recordedAt, reasons });


describe.each([['sqlite'], ['postgres']])('review 21: Identity.rehiredAt in the %s store', (kind) => {
  const backends: SqlBackend[] = [];
  afterAll(async () => {
    for (const backend of backends) await backend.cleanup();
  });
  const backend = async (): Promise<SqlBackend> => {
    const made = kind === 'sqlite' ? sqliteBackend('roster-rehired-at') : await postgresBackend('roster_rehired_at');
    backends.push(made);
    return made;
  };

  it('round-trips through get, getMany and list', async () => {
    const b = await backend();
    const store = await b.open();
    try {
      await store.identities.upsertMany([identity('E1', { rehiredAt: '2026-03-21T09:00:00.000Z' }), identity('E2')]);
      expect((await store.identities.get('E1'))?.rehiredAt).toBe('2026-03-21T09:00:00.000Z');
      expect((await store.identities.getMany(['E1']))[0]?.rehiredAt).toBe('2026-03-21T09:00:00.000Z');
      const listed = await store.identities.list();
      expect(listed.find((i) => i.id === 'E1')?.rehiredAt).toBe('2026-03-21T09:00:00.000Z');
      expect(listed.find((i) => i.id === 'E2')).not.toHaveProperty('rehiredAt');
    } finally {
      await store.close();
    }
  });

  it('migration 0018 fills it in from the event history', async () => {
    const b = await backend();
    let store = await b.open();
    try {
      await store.identities.upsertMany([identity('R1'), identity('R2'), identity('L1')]);
      await store.identities.appendEvents([
        event('R1', 'rehire', '2025-06-01T09:00:00.000Z', ['rehire']),
        event('R1', 'rehire', '2026-03-21T09:00:00.000Z', ['rehire']),
        event('R2', 'rehire', '2026-03-21T09:00:00.000Z', ['rehire']),
        event('R2', 'mover', '2026-03-22T09:00:00.000Z', ['leaver.reverted']),
        event('L1', 'leave.end', '2026-03-21T09:00:00.000Z', ['leave.end']),
      ]);
    } finally {
      await store.close();
    }
    // A store as 0017 left it: no value yet, 0018 (and the migrations after it) not run.
    await b.exec(['update roster_identities set rehired_at = null', "delete from kysely_migration where name >= '0018_identity_rehired_at'"]);
    store = await b.open();
    try {
      expect((await store.identities.get('R1'))?.rehiredAt).toBe('2026-03-21T09:00:00.000Z');
      expect((await store.identities.get('R2'))?.rehiredAt).toBeUndefined();
      expect((await store.identities.get('L1'))?.rehiredAt).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
