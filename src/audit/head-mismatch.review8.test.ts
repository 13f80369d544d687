import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PG_URL } from '../../test/support/pg.js';
import { storeBackEnds, type OpenedStore } from '../../test/support/store-backends.js';
import { onHeadMismatch } from '../store/audit.js';
import { GENESIS_HASH } from './chain.js';
import { AUDIT_HEAD_KEY } from './head.js';
import { HEAD_MISMATCH_KIND, MISMATCH_ACCEPTED_KIND, type HeadMismatch } from './mismatch.js';
import { verifyAudit } from './verify.js';

/**
 * A head found missing, malformed or disagreeing with the log used to be
 * repaired by the next append, silently: `verify` reported the tampering
 * until Roster next wrote anything, then passed again. Now the append that
 * finds it records an `audit.head_mismatch` entry first (in the same
 * transaction) and goes on; verify lists the recorded mismatches and fails
 * until an operator accepts them with an `audit.mismatch_accepted` entry.
 */
describe.each(storeBackEnds('roster-r8-mismatch'))('audit head mismatches are recorded, not repaired (review8): $name', (backEnd) => {
  let opened: OpenedStore;
  let heard: HeadMismatch[];
  const entry = (n: number) => ({ kind: 'change.applied', actor: 'executor:w', data: { n } });
  const run = (text: string) => sql.raw(text).execute(opened.db);

  beforeEach(async () => {
    opened = await backEnd.open();
    heard = [];
    onHeadMismatch(opened.store.audit, (found) => heard.push(found));
  });
  afterEach(async () => {
    await opened.close();
  });

  it('a deleted head: the next append records it, and verify keeps failing', async () => {
    const [first] = await opened.store.audit.append([entry(1)]);
    await run(`delete from roster_state where key = '${AUDIT_HEAD_KEY}'`);
    const [second] = await opened.store.audit.append([entry(2)]);
    expect(second).toMatchObject({ seq: 3, data: { n: 2 } }); // the caller's entries come back, after the recorded mismatch
    const [recorded] = await opened.store.audit.list({ kind: HEAD_MISMATCH_KIND });
    expect(recorded).toMatchObject({ seq: 2, actor: 'system', prevHash: first!.hash, data: { head: 'missing', log: { seq: 1, hash: first!.hash } } });
    expect(heard).toEqual([expect.objectContaining({ seq: 2, head: 'missing', log: { seq: 1, hash: first!.hash } })]);
    const result = await verifyAudit(opened.store);
    expect(result).toEqual({
      ok: false, entries: 3, head: { seq: 3, hash: second!.hash },
      mismatches: [{ seq: 2, at: recorded!.at, head: 'missing', log: { seq: 1, hash: first!.hash }, found: expect.stringMatching(/head was missing/) }],
    });
  });

  it('a tail deleted by SQL: the mismatch names the head and the real end, and the chain stays intact', async () => {
    const appended = await opened.store.audit.append([entry(1), entry(2), entry(3), entry(4), entry(5)]);
    await run('delete from roster_audit where seq > 2');
    await opened.store.audit.append([entry(6)]);
    const result = await verifyAudit(opened.store);
    expect(result).toMatchObject({
      ok: false, entries: 4, head: { seq: 4 },
      mismatches: [{
        seq: 3, head: { seq: 5, hash: appended[4]!.hash }, log: { seq: 2, hash: appended[1]!.hash },
        found: 'the head said seq 5 but the log ended at seq 2: 3 entries were removed from the end',
      }],
    });
    expect(result).not.toHaveProperty('firstBad');
    // Later appends neither repair nor repeat it.
    await opened.store.audit.append([entry(7)]);
    expect(await verifyAudit(opened.store)).toMatchObject({ ok: false, entries: 5, mismatches: [{ seq: 3 }] });
    expect(heard).toHaveLength(1);
  });

  it('the whole log deleted: recorded against the genesis', async () => {
    const appended = await opened.store.audit.append([entry(1), entry(2)]);
    await run('delete from roster_audit');
    await opened.store.audit.append([entry(3)]);
    expect(await verifyAudit(opened.store)).toMatchObject({
      ok: false, entries: 2, mismatches: [{ seq: 1, head: { seq: 2, hash: appended[1]!.hash }, log: { seq: 0, hash: GENESIS_HASH } }],
    });
  });

  it('entries written around Roster (the head left behind): recorded', async () => {
    const appended = await opened.store.audit.append([entry(1)]);
    await run(`update roster_state set value = '{"seq":0,"hash":"${GENESIS_HASH}"}' where key = '${AUDIT_HEAD_KEY}'`);
    await opened.store.audit.append([entry(2)]);
    expect(await verifyAudit(opened.store)).toMatchObject({
      ok: false,
      mismatches: [{ seq: 2, head: { seq: 0 }, log: { seq: 1, hash: appended[0]!.hash }, found: expect.stringMatching(/1 entry was appended without moving the head/) }],
    });
  });

  it('the last entry replaced (same seq, another hash): recorded', async () => {
    const appended = await opened.store.audit.append([entry(1), entry(2)]);
    await run(`update roster_state set value = '{"seq":2,"hash":"${'f'.repeat(64)}"}' where key = '${AUDIT_HEAD_KEY}'`);
    await opened.store.audit.append([entry(3)]);
    expect(await verifyAudit(opened.store)).toMatchObject({
      ok: false, entries: 4,
      mismatches: [{ seq: 3, head: { seq: 2, hash: 'f'.repeat(64) }, log: { seq: 2, hash: appended[1]!.hash }, found: expect.stringMatching(/different hashes/) }],
    });
  });

  it('a malformed head: recorded with what it held', async () => {
    await opened.store.audit.append([entry(1)]);
    await run(`update roster_state set value = 'oops' where key = '${AUDIT_HEAD_KEY}'`);
    await opened.store.audit.append([entry(2)]);
    const [recorded] = await opened.store.audit.list({ kind: HEAD_MISMATCH_KIND });
    expect(recorded!.data).toMatchObject({ head: 'malformed', stored: 'oops', log: { seq: 1 } });
    expect(await verifyAudit(opened.store)).toMatchObject({ ok: false, mismatches: [{ seq: 2, head: 'malformed', found: expect.stringMatching(/malformed/) }] });
  });

  it('an acceptance covers the mismatches at or before its seq, never later ones', async () => {
    await opened.store.audit.append([entry(1)]);
    await run(`delete from roster_state where key = '${AUDIT_HEAD_KEY}'`);
    await opened.store.audit.append([entry(2)]); // mismatch at 2
    await opened.store.audit.append([{ kind: MISMATCH_ACCEPTED_KIND, actor: 'cli:alice', data: { through: 2, mismatches: [2] } }]);
    const accepted = await verifyAudit(opened.store);
    expect(accepted).toMatchObject({ ok: true, entries: 4, mismatches: [{ seq: 2, accepted: { seq: 4, actor: 'cli:alice' } }] });
    await run(`delete from roster_state where key = '${AUDIT_HEAD_KEY}'`);
    await opened.store.audit.append([entry(3)]); // mismatch at 5
    // An acceptance naming a seq past its own cannot accept what comes after it.
    await opened.store.audit.append([{ kind: MISMATCH_ACCEPTED_KIND, actor: 'cli:mallory', data: { through: 100 } }]);
    await run(`delete from roster_state where key = '${AUDIT_HEAD_KEY}'`);
    await opened.store.audit.append([entry(4)]); // mismatch at 8
    const result = await verifyAudit(opened.store);
    expect(result).toMatchObject({ ok: false, entries: 9 });
    expect(result.mismatches?.map((m) => [m.seq, m.accepted?.actor])).toEqual([[2, 'cli:alice'], [5, 'cli:mallory'], [8, undefined]]);
  });

  it('a rolled-back append leaves nothing: the next one records the mismatch once', async () => {
    await opened.store.audit.append([entry(1)]);
    await run(`delete from roster_state where key = '${AUDIT_HEAD_KEY}'`);
    await expect(opened.store.audit.append([{ kind: 'x', actor: 'a', data: { big: 10n } as never }])).rejects.toThrow();
    await opened.store.audit.append([entry(2)]);
    expect((await opened.store.audit.list({ kind: HEAD_MISMATCH_KIND })).map((e) => e.seq)).toEqual([2]);
  });

  it('ordinary appends, concurrent ones included, record nothing', async () => {
    const second = await opened.second();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? opened.store : second).audit.append([entry(i), entry(i + 100)])));
    expect(await opened.store.audit.list({ kind: HEAD_MISMATCH_KIND })).toEqual([]);
    expect(heard).toEqual([]);
    expect(await verifyAudit(opened.store)).toMatchObject({ ok: true, entries: 40 });
    expect(await verifyAudit(opened.store)).not.toHaveProperty('mismatches');
  });
});

/**
 * Two processes appending to one PostgreSQL log at once: each append reads
 * the chain's end and the head under the audit advisory lock, after the
 * other's commit, so neither may take the other's entries for a mismatch.
 */
describe('concurrent appends from two processes on PostgreSQL record no mismatch (review8)', () => {
  const WORKER = fileURLToPath(new URL('./testing-append-worker.ts', import.meta.url));
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await storeBackEnds('roster-r8-procs').find((b) => b.name === 'postgres')!.open();
  });
  afterEach(async () => {
    await opened.close();
  });

  interface Appender { ready: Promise<void>; go: () => void; done: Promise<{ mismatches: number }> }
  function appender(url: string, name: string, batches: number): Appender {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, name, String(batches)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let announce: () => void = () => {};
    const ready = new Promise<void>((resolve) => { announce = resolve; });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) announce();
    });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    const done = new Promise<{ mismatches: number }>((resolve, reject) => {
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as { mismatches: number }) : reject(new Error(`${name} exited with ${code}: ${err}`))));
    });
    return { ready: Promise.race([ready, done.then(() => undefined)]), go: () => child.stdin.end('go\n'), done };
  }

  it('200 batches from two processes and this one: one intact chain, no audit.head_mismatch', async () => {
    const url = await postgresUrl(opened);
    const children = [appender(url, 'p1', 80), appender(url, 'p2', 80)];
    // A start barrier: both processes have opened the store before any of
    // the three writers begins, so they do write at once.
    await Promise.all(children.map((child) => child.ready));
    for (const child of children) child.go();
    for (let i = 0; i < 40; i++) await opened.store.audit.append([{ kind: 'k', actor: 'parent' }, { kind: 'k', actor: 'parent' }]);
    expect(await Promise.all(children.map((child) => child.done))).toEqual([{ mismatches: 0 }, { mismatches: 0 }]);
    expect(await opened.store.audit.list({ kind: HEAD_MISMATCH_KIND })).toEqual([]);
    const actors = (await opened.store.audit.list()).map((e) => e.actor);
    expect(new Set(actors)).toEqual(new Set(['executor:p1', 'executor:p2', 'parent']));
    // The writers did run at once: the log switches between them many times.
    expect(actors.filter((actor, i) => i > 0 && actor !== actors[i - 1]).length).toBeGreaterThan(10);
    expect(await verifyAudit(opened.store)).toEqual({ ok: true, entries: 400, head: expect.objectContaining({ seq: 400 }) });
  });
});

/** The URL of the PostgreSQL schema the opened store uses (the schema is its search_path). */
async function postgresUrl(opened: OpenedStore): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(opened.db);
  return `${PG_URL}?schema=${rows[0]!.schema}`;
}
