import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { createConnector } from '../../src/connectors/registry.js';
import type { TargetAccount } from '../../src/core/types.js';
import { openStore } from '../../src/store/index.js';
import { PG_URL, freshSchema } from '../support/pg.js';
import { CRASH_PEOPLE, CRASH_PLAN_ID, CRASH_TARGET, crashPlan } from './crash-worker.js';
import { pgCrashConnection } from './crash-pg-worker.js';

/**
 * crash.test.ts on PostgreSQL, with several worker processes at once: the
 * store and the sql target both on PostgreSQL, three executors applying one
 * plan together, two of them killed with -9 part way.
 */
const worker = new URL('./crash-pg-worker.ts', import.meta.url).pathname;
let storeSchema: Awaited<ReturnType<typeof freshSchema>>;
let targetSchema: Awaited<ReturnType<typeof freshSchema>>;
const children: ChildProcess[] = [];

async function onPg<T>(schema: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`set search_path to "${schema}"`);
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  storeSchema = await freshSchema('r6_crash_store');
  targetSchema = await freshSchema('r6_crash_target');
  await onPg('public', (client) => client.query(`create schema "${targetSchema.schema}"`));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await storeSchema.drop();
  await targetSchema.drop();
});

function start(mode: 'enqueue' | 'resume'): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, storeSchema.url, targetSchema.url, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

const progress = (output: string): number => Number([...output.matchAll(/^progress (\d+)$/gm)].at(-1)?.[1] ?? 0);

async function until(condition: () => Promise<boolean> | boolean, what: () => string): Promise<void> {
  for (let i = 0; i < 12_000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting: ${what()}`);
}

describe('crash (kill -9) of PostgreSQL workers applying one plan together (review 6)', () => {
  it('loses nothing and duplicates nothing', { timeout: 300_000 }, async () => {
    const total = crashPlan().changes.length;
    const watcher = await openStore(storeSchema.url);
    // What the plan reached, whoever did it (each worker's own progress counts only what it saw).
    const reached = async () => {
      const stats = await watcher.queue.stats({ planId: CRASH_PLAN_ID });
      return stats.done + stats.failed;
    };
    let killedAt: number[] = [];
    try {
      const first = start('enqueue');
      await until(() => progress(first.output()) >= 100, first.output);
      const second = start('resume');
      const third = start('resume');
      for (const [victim, threshold] of [[first, 900], [second, 1_800]] as const) {
        await until(async () => await reached() >= threshold, victim.output);
        killedAt = [...killedAt, await reached()];
        victim.child.kill('SIGKILL');
        await victim.exited;
      }
      expect(await third.exited, third.output()).toBe(0);
      const last = start('resume');
      expect(await last.exited, last.output()).toBe(0);
    } finally {
      await watcher.close();
    }
    // Both kills landed part way, while the others were working.
    expect(killedAt.every((at) => at < total), String(killedAt)).toBe(true);

    const store = await openStore(storeSchema.url);
    try {
      const jobs = await store.queue.listByPlan(CRASH_PLAN_ID);
      expect(jobs).toHaveLength(total);
      expect(jobs.filter((job) => job.status !== 'done')).toEqual([]);
      const applied = await store.audit.list({ kind: 'change.applied', limit: 10 * total });
      const changeIds = applied.map((entry) => (entry.data as { changeId: string }).changeId);
      expect(changeIds).toHaveLength(total);
      expect(new Set(changeIds).size).toBe(total);
      expect(await store.audit.list({ kind: 'change.failed' })).toEqual([]);

      const users = await onPg(targetSchema.schema, async (client) => (await client.query<{ username: string }>('select username from users order by username')).rows);
      const memberships = await onPg(targetSchema.schema, async (client) => (await client.query<{ username: string; group_name: string }>('select username, group_name from user_groups')).rows);
      const expectedUsers = Array.from({ length: CRASH_PEOPLE }, (_, i) => `user.e${String(i).padStart(5, '0')}`);
      expect(users.map((u) => u.username)).toEqual(expectedUsers);
      expect(memberships.map((m) => `${m.username}|${m.group_name}`).sort()).toEqual(expectedUsers.flatMap((u, i) => [`${u}|staff`, `${u}|team-${i % 7}`]).sort());

      const connector = createConnector({ id: CRASH_TARGET, type: 'sql', connection: pgCrashConnection(targetSchema.url) }, { targetId: CRASH_TARGET, baseDir: process.cwd(), log: silentLogger });
      const actual = new Map<string, TargetAccount>();
      for await (const account of connector.list()) actual.set(account.accountId, account);
      await connector.close();
      const links = await store.accounts.listByTarget(CRASH_TARGET);
      expect(links).toHaveLength(CRASH_PEOPLE);
      for (const link of links) {
        const account = actual.get(link.accountId);
        expect(account, link.accountId).toBeDefined();
        expect([...link.entitlements].sort()).toEqual([...(account?.entitlements ?? [])].sort());
        expect(link.enabled).toBe(account?.enabled);
      }
    } finally {
      await store.close();
    }
  });
});
