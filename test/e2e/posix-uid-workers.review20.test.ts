import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { freshSchema } from '../support/pg.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { POSIX_RANGE } from './posix-uid-worker.review20.js';

/**
 * Several worker processes (as several `roster serve` on several machines)
 * share one PostgreSQL store and one slapd, each with 8 creates in flight,
 * and create posix joiners at the same moment: every person ends up with a
 * uidNumber of their own, in the range, also when workers are killed (-9)
 * part way and their plans are finished by another.
 */
const worker = new URL('./posix-uid-worker.review20.ts', import.meta.url).pathname;
const PER_WORKER = 200;
let slapd: RunningSlapd;
const children: ChildProcess[] = [];

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await slapd?.stop();
});

function start(storeUrl: string, targets: string, people: number, startAt = 0): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, storeUrl, slapd.url, slapd.suffix, targets, String(people), String(startAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Three workers, each with its own target (the same directory and range) and plan, that begin together once all are up (tsx takes about a second to start each). */
const together = (storeUrl: string, name: string) => {
  const at = Date.now() + 4_000;
  return [0, 1, 2].map((i) => start(storeUrl, `${name}${i}`, PER_WORKER, at));
};

const applied = (output: string): number => Number(/"applied":(\d+)/.exec(output)?.[1] ?? 0);

/** Jobs done or failed, whoever did them. */
async function reached(storeUrl: string): Promise<number> {
  const store = await openStore(storeUrl);
  try {
    let sum = 0;
    for (const plan of ['k0', 'k1', 'k2']) {
      const stats = await store.queue.stats({ planId: plan });
      sum += stats.done + stats.failed;
    }
    return sum;
  } finally {
    await store.close();
  }
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: slapd.url });
  try {
    await client.bind(slapd.bindDN, slapd.password);
    return await work(client);
  } finally {
    await client.unbind();
  }
}

/** uid -> uidNumber of every posixAccount in the directory. */
const uidNumbers = (): Promise<Map<string, string>> => admin(async (client) => {
  const { searchEntries } = await client.search(slapd.suffix, { scope: 'sub', filter: '(objectClass=posixAccount)', attributes: ['uid', 'uidNumber'], paged: { pageSize: 500 } });
  return new Map(searchEntries.map((entry) => [String(entry.uid), String(entry.uidNumber)]));
});

const deleteAll = (): Promise<void> => admin(async (client) => {
  const { searchEntries } = await client.search(`ou=people,${slapd.suffix}`, { scope: 'one', filter: '(objectClass=posixAccount)', attributes: ['1.1'], paged: { pageSize: 500 } });
  for (const entry of searchEntries) await client.del(entry.dn);
});

function expectUnique(numbers: Map<string, string>, people: number): void {
  expect(numbers.size).toBe(people);
  const byNumber = new Map<string, string[]>();
  for (const [uid, number] of numbers) byNumber.set(number, [...(byNumber.get(number) ?? []), uid]);
  expect([...byNumber].filter(([, uids]) => uids.length > 1)).toEqual([]);
  for (const number of numbers.values()) {
    expect(Number(number)).toBeGreaterThanOrEqual(POSIX_RANGE.min);
    expect(Number(number)).toBeLessThanOrEqual(POSIX_RANGE.max);
  }
}

describe('posix uidNumbers from several worker processes on one PostgreSQL store (review20)', () => {
  it('three workers, 8 creates in flight each, creating at the same moment: one uidNumber per person', { timeout: 300_000 }, async () => {
    const schema = await freshSchema('r20_posix');
    try {
      const workers = together(schema.url, 'w');
      for (const w of workers) expect(await w.exited, w.output()).toBe(0);
      for (const w of workers) expect(applied(w.output()), w.output()).toBeGreaterThan(0);
      expect(workers.reduce((sum, w) => sum + applied(w.output()), 0)).toBe(3 * PER_WORKER);
      expectUnique(await uidNumbers(), 3 * PER_WORKER);
    } finally {
      await schema.drop();
      await deleteAll();
    }
  });

  it('workers killed (-9) part way, their plans finished by another: still one uidNumber per person', { timeout: 300_000 }, async () => {
    const schema = await freshSchema('r20_posix_kill');
    try {
      const workers = together(schema.url, 'k');
      const killedAt: number[] = [];
      for (const [victim, threshold] of [[workers[0], 150], [workers[1], 300]] as const) {
        if (victim === undefined) continue;
        for (let i = 0; i < 6000 && await reached(schema.url) < threshold; i++) await new Promise((resolve) => setTimeout(resolve, 5));
        killedAt.push(await reached(schema.url));
        victim.child.kill('SIGKILL');
        await victim.exited;
      }
      expect(await workers[2]?.exited).toBe(0);
      // Both kills landed part way, while the others were working.
      expect(killedAt.every((at) => at < 3 * PER_WORKER), String(killedAt)).toBe(true);
      const last = start(schema.url, 'k0,k1,k2', 0);
      expect(await last.exited, last.output()).toBe(0);
      expect(await reached(schema.url)).toBe(3 * PER_WORKER);
      expectUnique(await uidNumbers(), 3 * PER_WORKER);
    } finally {
      await schema.drop();
      await deleteAll();
    }
  });
});
