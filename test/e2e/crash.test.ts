import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { createConnector } from '../../src/connectors/registry.js';
import type { TargetAccount } from '../../src/core/types.js';
import { openStore } from '../../src/store/index.js';
import { CRASH_PEOPLE, CRASH_PLAN_ID, CRASH_TARGET, crashConnection, crashPlan } from './crash-worker.js';

const dir = mkdtempSync(join(tmpdir(), 'roster-crash-'));
const storeFile = join(dir, 'store.db');
const targetFile = join(dir, 'target.db');
const worker = join(import.meta.dirname, 'crash-worker.ts');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(mode: 'enqueue' | 'resume'): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, storeFile, targetFile, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Changes the worker reported as applied (committed in the store) so far. */
function reportedDone(output: string): number {
  const matches = [...output.matchAll(/^progress (\d+)$/gm)];
  return Number(matches.at(-1)?.[1] ?? 0);
}

/** Run a worker and SIGKILL it once at least `threshold` changes are applied; returns the count seen at the kill. */
async function killWhenApplied(mode: 'enqueue' | 'resume', threshold: number): Promise<number> {
  const run = start(mode);
  let exitCode: number | null | undefined;
  void run.exited.then((code) => (exitCode = code));
  for (;;) {
    const applied = reportedDone(run.output());
    if (applied >= threshold) {
      run.child.kill('SIGKILL');
      await run.exited;
      return applied;
    }
    if (exitCode !== undefined) throw new Error(`worker ended before it could be killed (code ${exitCode}): ${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('crash (kill -9) in the middle of applying a plan', () => {
  it('loses nothing and duplicates nothing across two kills', { timeout: 120_000 } /* ~10 s measured on 2 cores at load average 6 (was ~55 s before batched claims and completions) */, async () => {
    const total = crashPlan().changes.length;
    const first = await killWhenApplied('enqueue', 300);
    const second = await killWhenApplied('resume', 1500);
    expect(first).toBeLessThan(total);
    expect(second).toBeLessThan(total);
    expect(second).toBeGreaterThan(first);

    const last = start('resume');
    expect(await last.exited, last.output()).toBe(0);

    const store = await openStore(`sqlite:${storeFile}`);
    try {
      const jobs = await store.queue.listByPlan(CRASH_PLAN_ID);
      expect(jobs).toHaveLength(total);
      expect(jobs.filter((job) => job.status !== 'done')).toEqual([]);

      const applied = await store.audit.list({ kind: 'change.applied', limit: 10 * total });
      const changeIds = applied.map((entry) => (entry.data as { changeId: string }).changeId);
      expect(changeIds).toHaveLength(total);
      expect(new Set(changeIds).size).toBe(total);

      const db = new BetterSqlite3(targetFile, { readonly: true });
      const users = db.prepare('select username from users order by username').all() as { username: string }[];
      const memberships = db.prepare('select username, group_name from user_groups order by username, group_name').all() as { username: string; group_name: string }[];
      db.close();
      const expectedUsers = Array.from({ length: CRASH_PEOPLE }, (_, i) => `user.e${String(i).padStart(5, '0')}`);
      expect(users.map((u) => u.username)).toEqual(expectedUsers);
      const expectedMemberships = expectedUsers.flatMap((u, i) => [`${u}|staff`, `${u}|team-${i % 7}`]).sort();
      expect(memberships.map((m) => `${m.username}|${m.group_name}`).sort()).toEqual(expectedMemberships);

      const connector = createConnector({ id: CRASH_TARGET, type: 'sql', connection: crashConnection(targetFile) }, { targetId: CRASH_TARGET, baseDir: dir, log: silentLogger });
      const actual = new Map<string, TargetAccount>();
      for await (const account of connector.list()) actual.set(account.accountId, account);
      await connector.close();
      const links = await store.accounts.listByTarget(CRASH_TARGET);
      expect(links).toHaveLength(CRASH_PEOPLE);
      for (const link of links) {
        const account = actual.get(link.accountId);
        expect(account, link.accountId).toBeDefined();
        expect([...link.entitlements].sort()).toEqual([...(account?.entitlements ?? [])].sort());
        expect(link.attributes).toEqual(account?.attributes);
        expect(link.enabled).toBe(account?.enabled);
      }
    } finally {
      await store.close();
    }
  });
});
