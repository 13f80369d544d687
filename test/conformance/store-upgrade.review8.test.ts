import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import type { Change } from '../../src/core/types.js';
import type { Backend } from '../../src/store/backend.js';
import type { Db, Dialect } from '../../src/store/context.js';
import { openStore } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations.js';
import { storeMigrator } from '../../src/store/migrate.js';
import { openPostgres } from '../../src/store/postgres.js';
import { openSqlite } from '../../src/store/sqlite.js';
import { T0, account, change, identity, job, plan } from '../../src/store/testing/builders.js';
import type { Store } from '../../src/store/types.js';
import { PG_URL } from '../support/pg.js';

/**
 * A store left at every older migration level, holding data in every table,
 * migrates to the latest without losing or changing a row: by two processes
 * starting at once, then once more. The data is made once by the current
 * store (the reference) and copied row by row, with the SQL of the old level,
 * into a database migrated only up to that level.
 */
const LEVELS = Object.keys(migrations('sqlite'));
const OPENER = fileURLToPath(new URL('./store-upgrade-open.review8.ts', import.meta.url));

const TABLES: Readonly<Record<string, readonly string[]>> = {
  roster_identities: ['id'],
  roster_identity_keys: ['key'],
  roster_events: ['n'],
  roster_accounts: ['target', 'identity_id'],
  roster_plans: ['n'],
  roster_plan_changes: ['plan_id', 'chunk'],
  roster_jobs: ['n'],
  roster_audit: ['seq'],
  roster_tokens: ['id'],
  roster_state: ['key'],
  roster_counters: ['name'],
  roster_scim_resources: ['resource_type', 'id'],
  roster_scim_members: ['group_id', 'member_id'],
};

/** The level at which each table appears (0-based index into LEVELS). */
const CREATED_AT: Readonly<Record<string, number>> = {
  roster_plan_changes: 1, roster_scim_resources: 2, roster_scim_members: 3, roster_identity_keys: LEVELS.indexOf('0013_identity_keys'),
};
/** The level at which a column was added to a table (0-based index into LEVELS): not copied below it (the reference leaves it null). */
const ADDED_AT: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  roster_accounts: { out_of_scope_since: 7, not_granted: LEVELS.indexOf('0014_not_granted'), placement: LEVELS.indexOf('0017_account_placement'), credentials_set_at: LEVELS.indexOf('0019_account_credentials_set_at') },
  roster_identities: { source_entry: LEVELS.indexOf('0016_identity_source_entry'), rehired_at: LEVELS.indexOf('0018_identity_rehired_at') },
  roster_plans: { withdrawn: LEVELS.indexOf('0020_plan_withdrawn') },
};

const BIG = 'x'.repeat(1024 * 1024);
const NOW = new Date('2024-03-01T10:00:00.000Z');

function bigPlanChanges(count: number): Change[] {
  return Array.from({ length: count }, (_, i) => change(i % 2 === 0 ? 'app' : 'ldap', `E${String(i).padStart(6, '0')}`));
}

/** Every table of the reference store gets rows, through the store itself. */
async function populate(store: Store): Promise<void> {
  await store.identities.upsertMany([
    identity('E1'),
    identity('E2', { attributes: { big: BIG, astral: '😀 𝒳 \u{10FFFF}', huge: 2 ** 60, neg: -(2 ** 55), float: 0.1 + 0.2 }, startAt: '2024-03-31T00:59:59.999Z', endAt: '2024-10-27T00:59:59.999Z' }),
    identity('Zoë', { state: 'terminated', missingSince: '2023-12-31T23:59:59.999Z' }),
  ], [
    // Zoë rehired under a new key (fields.previousKey): the identity keeps its id, the new key is current.
    { key: 'Zoë', identityId: 'Zoë', sourceId: 'hr', current: false, recordedAt: T0 },
    { key: 'E9000', identityId: 'Zoë', sourceId: 'hr', current: true, recordedAt: T0 },
  ]);
  await store.identities.appendEvents([
    { kind: 'joiner', identityId: 'E1', effectiveAt: T0, recordedAt: T0, reasons: ['hire'] },
    { kind: 'mover', identityId: 'E1', effectiveAt: T0, recordedAt: T0, changes: { department: { before: 'a', after: 'b' } }, reasons: ['moved'] } as never,
  ]);
  await store.accounts.upsertMany([account('app', 'E1'), account('ldap', 'E2', { enabled: false, disabledAt: T0 })]);
  await store.plans.save(plan('p-small', T0));
  await store.plans.save(plan('p-big', '2024-03-02T00:00:00.000Z', bigPlanChanges(12_001)));
  await store.queue.enqueue([
    job('j-pending', 'app', 'E9', 1), job('j-running', 'app', 'E1', 2), job('j-done', 'ldap', 'E2', 3),
    job('j-failed', 'ldap', 'E3', 4), job('j-cancel', 'hr', 'E4', 5, 'p-small'),
  ], { now: NOW });
  // j-pending is due only later, so the claim below leases the others.
  await store.queue.enqueue([{ ...job('j-later', 'app', 'E8', 6), id: 'j-later' }], { now: new Date('2030-01-01T00:00:00.000Z') });
  expect(await store.queue.cancel({ target: 'hr' })).toBe(1);
  const claimed = await store.queue.claim({ workerId: 'w1', limit: 10, leaseMs: 3_600_000, now: NOW, targets: ['app', 'ldap'] });
  expect(claimed.map((j) => j.id).sort()).toEqual(['j-done', 'j-failed', 'j-pending', 'j-running']);
  await store.queue.release(['j-pending'], 'w1');
  expect(await store.queue.complete('j-done', 'w1', { upsertAccount: account('ldap', 'E2'), audit: [{ kind: 'change.applied', actor: 'system', identity: 'E2', target: 'ldap' }] })).toBe(true);
  expect(await store.queue.fail('j-failed', 'refused', null, [{ kind: 'change.failed', actor: 'system', identity: 'E3', data: { n: 2 ** 60 } }], 'w1')).toBe(true);
  await store.audit.append([{ kind: 'plan.created', actor: 'cli:ops', data: { plan: 'p-big', astral: '😀' } }]);
  await store.tokens.create({ id: 't1', name: 'ci', scopes: ['read'], hash: 'h1', createdAt: T0 });
  await store.tokens.create({ id: 't2', name: 'old', scopes: ['admin'], hash: 'h2', createdAt: T0, revokedAt: T0 });
  await store.state.set('schedule.last', { at: T0, n: 2 ** 60 });
  await store.scim.create({ resourceType: 'User', id: 'u1', uniqueName: 'ann', data: { userName: 'ann', externalId: 'x1', name: { givenName: 'Ann 😀' } } });
  await store.scim.create({ resourceType: 'User', id: 'u2', uniqueName: 'bob', data: { userName: 'bob' } });
  await store.scim.create({ resourceType: 'Group', id: 'g1', uniqueName: 'Eng', data: { displayName: 'Eng', members: [{ value: 'u1' }, { value: 'u2' }] } });
}

type Rows = Record<string, Record<string, unknown>[]>;

/** Every row of every table, in key order, without the surrogate keys (renumbered by the copy). */
async function dump(db: Db, tables: readonly string[]): Promise<Rows> {
  const out: Rows = {};
  for (const table of tables) {
    const order = TABLES[table]!.map((c) => sql.ref(c));
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)} order by ${sql.join(order)}`.execute(db);
    out[table] = rows.rows.map(({ n: _n, ...rest }) => ({ ...rest, ...('body' in rest ? { body: Buffer.from(rest.body as Uint8Array).toString('base64') } : {}) }));
  }
  return out;
}

interface Place {
  readonly url: string;
  backend(): Backend;
  cleanup(): Promise<void>;
}

async function pgQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const places: Readonly<Record<Dialect, () => Promise<Place>>> = {
  sqlite: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-upgrade-'));
    const file = join(dir, 'roster.db');
    return { url: `sqlite:${file}`, backend: () => openSqlite(file, dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
  postgres: async () => {
    const schema = `roster_upgrade_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await pgQuery(`create schema "${schema}"`);
    const url = `${PG_URL}?schema=${schema}`;
    return { url, backend: () => openPostgres(url), cleanup: () => pgQuery(`drop schema if exists "${schema}" cascade`) };
  },
};

/** A process that opens stores on request (store-upgrade-open.review8.ts), one at a time, each answered by a line. */
interface Opener {
  open(url: string): Promise<void>;
  stop(): Promise<void>;
}

function startOpener(): Opener {
  const child = spawn(process.execPath, ['--import', 'tsx', OPENER], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  let waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (let end = out.indexOf('\n'); end >= 0; end = out.indexOf('\n')) {
      const line = out.slice(0, end);
      out = out.slice(end + 1);
      const answered = waiting;
      waiting = undefined;
      if (line === 'opened') answered?.resolve();
      else answered?.reject(new Error(`opener: ${line}`));
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', (code) => {
    waiting?.reject(new Error(`opener exited ${code}: ${err}`));
    resolve();
  }));
  return {
    open: (url) => new Promise<void>((resolve, reject) => {
      waiting = { resolve, reject };
      child.stdin.write(`${url}\n`);
    }),
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

describe.each(['sqlite', 'postgres'] as const)('upgrading a %s store', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  // The reference: the current store, with data in every table. Made once for every level (each level copies it).
  const referenceCleanups: (() => Promise<void>)[] = [];
  let reference: Store;
  let expectedAll: Rows;
  let expectedPlans: unknown[];
  beforeAll(async () => {
    const refPlace = await places[dialect]();
    referenceCleanups.push(refPlace.cleanup);
    reference = await openStore(refPlace.url);
    referenceCleanups.push(() => reference.close());
    await populate(reference);
    const refBackend = refPlace.backend();
    referenceCleanups.push(() => refBackend.close());
    expectedAll = await dump(refBackend.context.db, Object.keys(TABLES));
    expectedPlans = [await reference.plans.get('p-small'), await reference.plans.get('p-big')];
  }, 120_000);
  afterAll(async () => {
    for (const cleanup of referenceCleanups.splice(0).reverse()) await cleanup();
  });

  // Two processes that open stores on request: each level's old store is opened by both at the same moment.
  let openers: Opener[] = [];
  beforeAll(() => {
    openers = [startOpener(), startOpener()];
  });
  afterAll(async () => {
    await Promise.all(openers.map((opener) => opener.stop()));
  });

  it.each(LEVELS.map((name, level) => [name, level] as const))('from %s keeps every row, migrated by two processes at once and again', async (name, level) => {
    // A copy per level: the checks below replace tables in it.
    const expected: Rows = structuredClone(expectedAll);

    // The old store: migrated up to `name` only, the rows copied in with that level's tables.
    const oldPlace = await places[dialect]();
    cleanups.push(oldPlace.cleanup);
    const old = oldPlace.backend();
    try {
      const schema = dialect === 'postgres' ? new URL(oldPlace.url).searchParams.get('schema')! : undefined;
      // Through the store's own introspection: Kysely's reads every schema, and fails when another test drops one meanwhile.
      const migrator = storeMigrator(old.context.db, dialect, schema);
      const { error } = await migrator.migrateTo(name);
      expect(error).toBeUndefined();
      const db = old.context.db;
      for (const [table, rows] of Object.entries(expected)) {
        if ((CREATED_AT[table] ?? 0) > level) continue;
        for (const row of rows) {
          const values: Record<string, unknown> = { ...row };
          for (const [column, added] of Object.entries(ADDED_AT[table] ?? {})) if (added > level) delete values[column];
          if (table === 'roster_counters') {
            await sql`update roster_counters set value = ${values.value} where name = ${values.name}`.execute(db);
            continue;
          }
          // The audit head is kept from 0005 on; before, no row held it.
          if (table === 'roster_state' && values.key === 'audit.head') {
            // 0005 recorded the (then empty) log's head: the copied log's head replaces it.
            if (level >= 4) await sql`update roster_state set value = ${values.value} where key = 'audit.head'`.execute(db);
            continue;
          }
          if (table === 'roster_plan_changes') values.body = Buffer.from(values.body as string, 'base64');
          // Before 0002 a plan's changes were one JSON text in its row.
          if (table === 'roster_plans' && level < 1) values.changes = JSON.stringify((expectedPlans as ({ id: string; changes: unknown } | undefined)[]).find((p) => p?.id === values.id)!.changes);
          if (table === 'roster_scim_resources' && dialect === 'postgres') values.data = JSON.stringify(values.data);
          await db.insertInto(table as never).values(values as never).execute();
        }
      }
    } finally {
      await old.close();
    }

    // Two processes open (and so migrate) the old store at the same moment, then this one opens it again.
    await Promise.all(openers.map((opener) => opener.open(oldPlace.url)));
    const store = await openStore(oldPlace.url);
    cleanups.push(() => store.close());
    await store.migrate();

    const check = oldPlace.backend();
    cleanups.push(() => check.close());
    const actual = await dump(check.context.db, Object.keys(TABLES));
    if (level < 1) {
      // Plans saved before chunks keep their changes in their row; the store reads them from there.
      expect(actual.roster_plan_changes).toEqual([]);
      actual.roster_plans = actual.roster_plans!.map((row) => ({ ...row, changes: '[]' }));
      actual.roster_plan_changes = expected.roster_plan_changes!;
    }
    // Tables newer than the old level start empty (the SCIM memberships of copied Groups are backfilled by 0004).
    const scim = level >= CREATED_AT.roster_scim_resources!;
    if (!scim) {
      expected.roster_scim_resources = [];
      expected.roster_scim_members = [];
    }
    // Keys of identities continued under a new key (0013) exist only from that level on.
    if (level < CREATED_AT.roster_identity_keys!) expected.roster_identity_keys = [];
    // 0019 gives links stored before it the upgrade's time (so an upgrade resets no password): set, then compared as the reference's.
    if (level < ADDED_AT.roster_accounts!.credentials_set_at!) {
      for (const row of actual.roster_accounts!) {
        expect(typeof row.credentials_set_at).toBe('string');
        row.credentials_set_at = null;
      }
    }
    for (const table of Object.keys(TABLES)) expect({ table, rows: actual[table] }).toEqual({ table, rows: expected[table] });
    expect([await store.plans.get('p-small'), await store.plans.get('p-big')]).toEqual(expectedPlans);
    expect((await store.identities.get('E2'))?.attributes).toEqual((await reference.identities.get('E2'))?.attributes);
    // The date indexes (0010) hold the copied rows: E2 starts at 2024-03-31T00:59:59.999Z and ends at 2024-10-27T00:59:59.999Z.
    const dated = { after: '2024-03-31T00:59:59.998Z', through: '2024-10-27T00:59:59.999Z' };
    expect(await store.identities.listIdsDatedIn([{ date: 'start', ...dated }, { date: 'end', ...dated }])).toEqual(['E2']);

    // And the upgraded store works: the chain verifies and grows, the queue runs, SCIM memberships answer.
    expect(await verifyAudit(store)).toMatchObject({ ok: true, entries: 3 });
    await store.audit.append([{ kind: 'store.upgraded', actor: 'system' }]);
    expect(await verifyAudit(store)).toMatchObject({ ok: true, entries: 4 });
    const next = await store.queue.claim({ workerId: 'w2', limit: 10, leaseMs: 60_000, now: new Date(NOW.getTime() + 7_200_000) });
    expect(next.map((j) => j.id).sort()).toEqual(['j-pending', 'j-running']);
    expect(await store.queue.stats()).toEqual({ done: 1, failed: 1, pending: 1, running: 2, cancelled: 1 });
    expect((await store.scim.groupsOf(['u1'])).get('u1')).toEqual(scim ? [{ id: 'g1', displayName: 'Eng' }] : []);
    await store.identities.upsertMany([identity('E7')]);
    await store.plans.save(plan('p-after', '2024-04-01T00:00:00.000Z'));
    await store.queue.enqueue([job('j-after', 'app', 'E7', 7, 'p-after')]);
    expect((await store.queue.get('j-after'))?.status).toBe('pending');
  }, 120_000);
});
