import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../src/audit/chain.js';
import { AUDIT_HEAD_KEY } from '../../src/audit/head.js';
import { verifyAudit } from '../../src/audit/verify.js';
import { openStore } from '../../src/store/index.js';
import { account, at, job } from '../../src/store/testing/builders.js';
import type { Store } from '../../src/store/types.js';
import { PG_URL, freshSchema } from '../support/pg.js';

/**
 * The audit chain head on every back end: kept in step with every append,
 * and compared by verify with the end of the log. Back ends reachable from
 * outside the store (a file, PostgreSQL) are also tampered with by SQL, the
 * way someone with database access would. PostgreSQL being down fails.
 */
interface Database {
  readonly url: string;
  /** Runs SQL on the database past the store; undefined for memory (nothing else can reach it). */
  readonly sql: ((text: string) => Promise<void>) | undefined;
  drop(): Promise<void>;
}

async function sqliteFile(): Promise<Database> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-audit-head-'));
  const file = join(dir, 'roster.db');
  return {
    url: `sqlite:${file}`,
    sql: async (text) => {
      const db = new BetterSqlite3(file);
      try {
        db.exec(text);
      } finally {
        db.close();
      }
    },
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

async function postgres(): Promise<Database> {
  const schema = await freshSchema('roster_audit_head');
  return {
    url: schema.url,
    sql: async (text) => {
      const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema.schema}` });
      await client.connect();
      await client.query(text).finally(() => client.end());
    },
    drop: schema.drop,
  };
}

const backEnds = [
  { name: 'sqlite (memory)', open: async (): Promise<Database> => ({ url: 'sqlite::memory:', sql: undefined, drop: async () => undefined }) },
  { name: 'sqlite (file)', open: sqliteFile },
  { name: 'postgres', open: postgres },
];

function entry(n: number) {
  return { kind: 'change.applied', actor: 'executor:w', identity: `E${n}`, data: { n } };
}

/** Opens a store on a fresh database of this back end before each test, and drops both after. */
function useStore(open: () => Promise<Database>): { readonly database: () => Database; readonly store: () => Store; reopen(): Promise<void> } {
  let database: Database;
  let store: Store;
  beforeEach(async () => {
    database = await open();
    store = await openStore(database.url);
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });
  return {
    database: () => database,
    store: () => store,
    async reopen() {
      await store.close();
      store = await openStore(database.url);
    },
  };
}

describe.each(backEnds)('audit head: $name', (backEnd) => {
  const t = useStore(backEnd.open);

  it('starts at seq 0 with the genesis hash and moves with every batch', async () => {
    expect(await t.store().state.get(AUDIT_HEAD_KEY)).toEqual({ seq: 0, hash: GENESIS_HASH });
    await t.store().audit.append([entry(1), entry(2), entry(3)]);
    const appended = await t.store().audit.append([entry(4), entry(5)]);
    expect(await t.store().state.get(AUDIT_HEAD_KEY)).toEqual({ seq: 5, hash: appended[1]!.hash });
    expect(await verifyAudit(t.store())).toEqual({ ok: true, entries: 5, head: { seq: 5, hash: appended[1]!.hash } });
  });

  it('keeps the head in step when several writers append at once', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, i) => t.store().audit.append([entry(i), entry(i + 100)])));
    const last = (await t.store().audit.list()).at(-1)!;
    expect(await t.store().state.get(AUDIT_HEAD_KEY)).toEqual({ seq: 16, hash: last.hash });
    expect(await verifyAudit(t.store())).toMatchObject({ ok: true, entries: 16 });
  });

  it('moves with the audit the queue writes when a job completes or fails', async () => {
    await t.store().queue.enqueue([job('j1', 'app', 'E1', 1), job('j2', 'app', 'E2', 2)]);
    await t.store().queue.claim({ workerId: 'w', limit: 2, leaseMs: 60_000, now: at(0) });
    await t.store().queue.complete('j1', 'w', { upsertAccount: account('app', 'E1'), audit: [entry(1), entry(2)] });
    await t.store().queue.fail('j2', 'rejected', null, [entry(3)]);
    const last = (await t.store().audit.list()).at(-1)!;
    expect(await t.store().state.get(AUDIT_HEAD_KEY)).toEqual({ seq: 3, hash: last.hash });
    expect(await verifyAudit(t.store())).toMatchObject({ ok: true, entries: 3 });
  });

  it('names a head moved past the log, and one left behind it', async () => {
    const appended = await t.store().audit.append([entry(1), entry(2), entry(3)]);
    await t.store().state.set(AUDIT_HEAD_KEY, { seq: 7, hash: 'a'.repeat(64) });
    expect(await verifyAudit(t.store())).toMatchObject({
      ok: false, firstBad: { seq: 4, reason: 'the log ends at seq 3 but its head says seq 7: 4 entries were removed from the end' },
    });
    await t.store().state.set(AUDIT_HEAD_KEY, { seq: 1, hash: appended[0]!.hash });
    expect(await verifyAudit(t.store())).toMatchObject({ ok: false, firstBad: { seq: 2, reason: expect.stringMatching(/2 entries were appended without moving the head/) } });
  });

});

/** The back ends SQL can reach past the store: tampered with the way someone with database access would. */
describe.each(backEnds.filter((b) => b.name !== 'sqlite (memory)'))('audit head tampered by SQL: $name', (backEnd) => {
  const t = useStore(backEnd.open);
  const sql = (text: string) => t.database().sql!(text);

  // The next append used to continue the chain from the head, leaving a seq gap. It now records an
  // audit.head_mismatch entry (what the head said, where the log ended) and continues from the log, so the
  // chain stays whole and the evidence is an entry of the log itself, which verify lists until accepted.
  it('detects the tail deleted by SQL, and the next append records it in the log', async () => {
    const appended = await t.store().audit.append([entry(1), entry(2), entry(3), entry(4), entry(5)]);
    await sql('delete from roster_audit where seq > 2');
    expect(await verifyAudit(t.store())).toEqual({
      ok: false, entries: 2, firstBad: { seq: 3, reason: 'the log ends at seq 2 but its head says seq 5: 3 entries were removed from the end' },
    });
    const next = await t.store().audit.append([entry(6)]);
    expect(next[0]!.seq).toBe(4); // after the mismatch entry, seq 3
    expect(await verifyAudit(t.store())).toMatchObject({
      ok: false, entries: 4, head: { seq: 4, hash: next[0]!.hash },
      mismatches: [{ seq: 3, head: { seq: 5, hash: appended[4]!.hash }, log: { seq: 2, hash: appended[1]!.hash }, found: expect.stringMatching(/3 entries were removed/) }],
    });
  });

  it('detects the whole log deleted by SQL', async () => {
    await t.store().audit.append([entry(1), entry(2)]);
    await sql('delete from roster_audit');
    expect(await verifyAudit(t.store())).toMatchObject({ ok: false, entries: 0, firstBad: { seq: 1, reason: expect.stringMatching(/2 entries were removed/) } });
  });

  // This test used to expect the next append to write the head again and verify to pass: ordinary operation
  // erased the evidence. The append still writes the head (Roster keeps working), but records the mismatch first,
  // so verify keeps failing until an operator accepts it (roster audit verify --accept-through).
  it('detects the head deleted by SQL; the next append records the mismatch, and verify keeps failing', async () => {
    const [first] = await t.store().audit.append([entry(1)]);
    await sql(`delete from roster_state where key = '${AUDIT_HEAD_KEY}'`);
    expect(await verifyAudit(t.store())).toMatchObject({ ok: false, firstBad: { seq: 1, reason: expect.stringMatching(/head is missing/) } });
    await t.store().audit.append([entry(2)]);
    expect(await t.store().state.get(AUDIT_HEAD_KEY)).toMatchObject({ seq: 3 });
    expect(await verifyAudit(t.store())).toMatchObject({
      ok: false, entries: 3, head: { seq: 3 }, mismatches: [{ seq: 2, head: 'missing', log: { seq: 1, hash: first!.hash } }],
    });
  });

  it('cannot see a tail deleted with its head rewritten, but a recorded head can', async () => {
    const appended = await t.store().audit.append([entry(1), entry(2), entry(3)]);
    const recordedHead = { seq: 3, hash: appended[2]!.hash };
    await sql('delete from roster_audit where seq = 3');
    await sql(`update roster_state set value = '{"seq":2,"hash":"${appended[1]!.hash}"}' where key = '${AUDIT_HEAD_KEY}'`);
    expect(await verifyAudit(t.store())).toMatchObject({ ok: true, entries: 2 });
    expect(await verifyAudit(t.store(), { recordedHead })).toMatchObject({
      ok: false, firstBad: { seq: 3, reason: 'the log ends at seq 2 but the recorded head says seq 3: 1 entry was removed from the end' },
    });
  });

  it('anchors a log written before heads were kept (migration 0005 backfills the head)', async () => {
    const appended = await t.store().audit.append([entry(1), entry(2)]);
    await sql(`delete from roster_state where key = '${AUDIT_HEAD_KEY}'`);
    // Back to before 0005: its record and those of the migrations after it (which may run again) go.
    await sql(`delete from kysely_migration where name >= '0005_audit_head'`);
    await t.reopen();
    expect(await t.store().state.get(AUDIT_HEAD_KEY)).toEqual({ seq: 2, hash: appended[1]!.hash });
    expect(await verifyAudit(t.store())).toMatchObject({ ok: true, entries: 2 });
  });
});
