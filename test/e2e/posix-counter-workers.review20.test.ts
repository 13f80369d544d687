import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { COUNTER_RANGE } from './posix-counter-worker.review20.js';

/**
 * Several Roster processes (as `roster serve` on several machines and an
 * operator's `roster apply`) create posix joiners into one slapd at the
 * same moment, their uidNumbers taken from one counter entry
 * (users.posix.counter): each number is handed out once, and a number whose
 * holder was deleted never comes back in a process started later.
 */
const worker = new URL('./posix-counter-worker.review20.ts', import.meta.url).pathname;
const PER_WORKER = 100;
let slapd: RunningSlapd;
let counterDn: string;
const children: ChildProcess[] = [];

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: slapd.url });
  try {
    await client.bind(slapd.bindDN, slapd.password);
    return await work(client);
  } finally {
    await client.unbind();
  }
}

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
  counterDn = `cn=uidNext,ou=pools,${slapd.suffix}`;
  await admin(async (client) => {
    await client.add(`ou=pools,${slapd.suffix}`, { objectClass: ['organizationalUnit'], ou: 'pools' });
    await client.add(counterDn, { objectClass: ['device', 'extensibleObject'], cn: 'uidNext', uidNumber: String(COUNTER_RANGE.min) });
  });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await slapd?.stop();
});

function start(prefix: string, people: number, startAt: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, slapd.url, slapd.suffix, counterDn, prefix, String(people), String(startAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

/** uid -> uidNumber of every posixAccount below ou=people. */
const uidNumbers = (): Promise<Map<string, number>> => admin(async (client) => {
  const { searchEntries } = await client.search(`ou=people,${slapd.suffix}`, { scope: 'sub', filter: '(objectClass=posixAccount)', attributes: ['uid', 'uidNumber'], paged: { pageSize: 500 } });
  return new Map(searchEntries.map((entry) => [String(entry.uid), Number(entry.uidNumber)]));
});

const counterValue = (): Promise<number> => admin(async (client) => {
  const { searchEntries } = await client.search(counterDn, { scope: 'base', attributes: ['uidNumber'] });
  return Number(searchEntries[0]?.uidNumber);
});

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

describe('posix uidNumbers from a counter entry, several processes (review20)', () => {
  it('three processes, 8 creates in flight each, at once: one number per person, each from the counter; after deletes a new process goes on above them', { timeout: 120_000 }, async () => {
    const at = Date.now() + 4_000;
    const runs = await Promise.all(['p0', 'p1', 'p2'].map((prefix) => start(prefix, PER_WORKER, at)));
    for (const run of runs) {
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain(`{"created":${PER_WORKER},"failed":0}`);
    }
    const first = await uidNumbers();
    expect(first.size).toBe(3 * PER_WORKER);
    // Every number taken from the counter once, none lost to a collision: 70000..70299.
    expect([...first.values()].sort((a, b) => a - b)).toEqual(range(COUNTER_RANGE.min, 3 * PER_WORKER));
    expect(await counterValue()).toBe(COUNTER_RANGE.min + 3 * PER_WORKER);

    // The ten leavers holding the highest numbers are deleted; a process started afterwards gives none of their numbers out.
    const highest = [...first].sort(([, a], [, b]) => b - a).slice(0, 10);
    await admin(async (client) => {
      for (const [uid] of highest) await client.del(`uid=${uid},ou=people,${slapd.suffix}`);
    });
    const later = await start('p3', 5, 0);
    expect(later.code, later.output).toBe(0);
    const joiners = [...(await uidNumbers())].filter(([uid]) => uid.startsWith('p3-')).map(([, n]) => n).sort((a, b) => a - b);
    expect(joiners).toEqual(range(COUNTER_RANGE.min + 3 * PER_WORKER, 5));
  });
});
