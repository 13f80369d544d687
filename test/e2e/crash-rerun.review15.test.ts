import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { csv, person } from './helpers.js';

/**
 * Review 15: `roster apply` killed with -9 leaves the changes it had claimed
 * leased, and a run started right after waited for those leases to run out
 * (60 s by default). Here the lease is ten minutes (`executor.leaseSeconds:
 * 600`): the re-run, started at once, can only finish the killed run's
 * changes by taking them over from a worker of this host whose process is
 * gone. Outcome, not timing: everything done once, nothing left leased.
 */
const BIN = resolve(import.meta.dirname, '../../bin/roster.mjs');
const PEOPLE = 1500;
const dir = mkdtempSync(join(tmpdir(), 'roster-rerun-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(join(dir, 'employees.csv'), csv(Array.from({ length: PEOPLE }, (_, i) => person({ employeeId: `E${String(i).padStart(5, '0')}`, givenName: 'Ada', familyName: `K${i}` }))));
writeFileSync(join(dir, 'roster.yaml'), `store: sqlite:./roster.db
executor: { leaseSeconds: 600 }
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: sql
    connection:
      url: sqlite:./app.db
      createTables: true
      users: { table: users, key: username, columns: { username: username, email: email }, enabled: { column: active } }
    accountKey: username
    attributes: { username: identity.employeeId, email: identity.email }
    safety: { minAccounts: 100000 }
`);

function apply(): { exited: Promise<number | null>; kill: () => void; output: () => string } {
  const child = spawn(process.execPath, [BIN, 'apply', '--yes', '--json', '--config', join(dir, 'roster.yaml')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { exited: new Promise((done) => child.on('exit', (code) => done(code))), kill: () => child.kill('SIGKILL'), output: () => output };
}

/** Accounts in the target so far (0 while it is not there or busy). */
function accounts(): number {
  try {
    const db = new BetterSqlite3(join(dir, 'app.db'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('select count(*) as n from users').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

describe('roster apply killed with -9, run again at once (review 15)', () => {
  it('the re-run takes over the killed run\'s leased changes instead of waiting out a ten-minute lease', { timeout: 120_000 }, async () => {
    const first = apply();
    let ended: number | null | undefined;
    void first.exited.then((code) => (ended = code));
    while (accounts() < 100) {
      if (ended !== undefined) throw new Error(`roster apply ended before it could be killed (code ${ended}): ${first.output()}`);
      await new Promise((done) => setTimeout(done, 10));
    }
    first.kill();
    await first.exited;

    const store = await openStore(`sqlite:${join(dir, 'roster.db')}`);
    try {
      const [plan] = await store.plans.list({ limit: 1 });
      const jobs = await store.queue.listByPlan(plan!.id);
      expect(jobs).toHaveLength(PEOPLE);
      const leased = jobs.filter((job) => job.status === 'running');
      // The killed run held leases, and they have most of ten minutes left: only a takeover frees them now.
      expect(leased.length).toBeGreaterThan(0);
      for (const job of leased) expect(Date.parse(job.leaseUntil!) - Date.now()).toBeGreaterThan(5 * 60_000);
    } finally {
      await store.close();
    }

    const rerun = apply();
    expect(await rerun.exited, rerun.output()).toBe(0);
    const after = await openStore(`sqlite:${join(dir, 'roster.db')}`);
    try {
      expect(await after.queue.stats()).toMatchObject({ pending: 0, running: 0, failed: 0, done: PEOPLE });
      const applied = await after.audit.list({ kind: 'change.applied', limit: 10 * PEOPLE });
      const ids = applied.map((entry) => (entry.data as { changeId: string }).changeId);
      expect(ids).toHaveLength(PEOPLE);
      expect(new Set(ids).size).toBe(PEOPLE);
    } finally {
      await after.close();
    }
    expect(accounts()).toBe(PEOPLE);
  });
});
