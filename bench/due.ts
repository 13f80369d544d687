/**
 * The scheduler's due check (engine/due.ts, every minute in `roster serve`)
 * with N identities in a SQLite file store.
 *   npm run bench -- due --identities 100000 [--runs 9] [--links 2000] [--json]
 * People start on one of 2,400 days (one in 50 years ahead), one in ten has an
 * end date; `--links` disabled accounts on each of two targets with a delete
 * grace (30 and 90 days) are the links whose grace may end. Each run checks
 * the minute around a midnight when people start: "cold" just after another
 * connection (another process, a CLI command) wrote an identity, so this
 * process's read cache is stale; "warm" again with nothing written since.
 * The last line is {"identities","cold_ms","warm_ms",…} (medians).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RosterConfig } from '../src/config/types.js';
import type { Identity } from '../src/core/types.js';
import { dueSince } from '../src/engine/due.js';
import { openStore } from '../src/store/index.js';
import { account } from '../src/store/testing/builders.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { percentile, timed } from './lib/stats.js';

const args = readArgs({ identities: 100_000, runs: 9, links: 2_000 });
const { identities: count, runs, links } = args.values;
const DAY = 86_400_000;
const T = Date.parse('2026-06-15T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

function person(i: number): Identity {
  const id = `E${String(i).padStart(7, '0')}`;
  const start = Date.UTC(2020, 0, 1) + (i % 2400) * DAY + (i % 50 === 0 ? 2500 * DAY : 0);
  const end = i % 10 === 0 ? start + 200 * DAY + (i % 97) * DAY : undefined;
  return {
    id, sourceId: 'hr', state: end !== undefined && end <= T ? 'terminated' : 'active',
    attributes: {
      employeeId: id, givenName: `Given${i}`, familyName: `Family${i}`, email: `p${i}@example.com`, department: `D${i % 40}`,
      title: 'Engineer', manager: `E${String(i % 1000).padStart(7, '0')}`, location: 'Berlin', costCenter: `CC${i % 90}`,
      startDate: iso(start).slice(0, 10), ...(end === undefined ? {} : { endDate: iso(end).slice(0, 10) }),
    },
    startAt: iso(start), ...(end === undefined ? {} : { endAt: iso(end) }),
    version: 1, createdAt: iso(T - 400 * DAY), updatedAt: iso(T - 400 * DAY),
  };
}

const config = {
  lifecycle: { prehireLeadDays: 7 },
  targets: [
    { id: 'app', leaver: { deleteAfterMs: 30 * DAY } },
    { id: 'ldap', leaver: { deleteAfterMs: 90 * DAY } },
    { id: 'mail', leaver: { deleteAfterMs: null } },
  ],
} as unknown as RosterConfig;

const dir = await mkdtemp(join(tmpdir(), 'roster-bench-due-'));
const url = `sqlite:${join(dir, 'roster.db')}`;
const store = await openStore(url);
const other = await openStore(url);
try {
  progress(args, `storing ${count} identities and ${links * 2} disabled links…`);
  const people = Array.from({ length: count }, (_, i) => person(i));
  await store.identities.upsertMany(people);
  await store.accounts.upsertMany(people.filter((_, i) => i % 10 === 0).slice(0, links)
    .flatMap((p) => ['app', 'ldap'].map((target) => account(target, p.id, { enabled: false, disabledAt: iso(T - 10 * DAY) }))));
  const since = new Date(T - 30_000);
  const now = new Date(T + 30_000);
  const cold: number[] = [];
  const warm: number[] = [];
  let due = 0;
  for (let run = 0; run < runs; run++) {
    await other.identities.upsertMany([{ ...people[run % count]!, version: 2 + run }]);
    const first = await timed(() => dueSince(store, config, since, now));
    cold.push(first.ms);
    due = first.value.length;
    warm.push((await timed(() => dueSince(store, config, since, now))).ms);
  }
  printResult({
    identities: count, links: links * 2, runs, due, cold_ms: percentile(cold, 50), warm_ms: percentile(warm, 50),
    cold_max_ms: Math.max(...cold), rss_mb: Math.round(process.memoryUsage().rss / 1e6),
  });
} finally {
  await other.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
