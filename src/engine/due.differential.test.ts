import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterConfig } from '../config/types.js';
import type { Identity, LinkedAccount } from '../core/types.js';
import { openStore } from '../store/index.js';
import { account, identity } from '../store/testing/builders.js';
import type { Store } from '../store/types.js';
import { dueSince } from './due.js';

const DAY = 86_400_000;

/**
 * The oracle: dueSince as it was before the date indexes (0010), reading
 * every identity and testing each one's dates in JavaScript.
 */
async function dueSinceReadingEveryone(store: Store, config: RosterConfig, since: Date, now: Date): Promise<string[]> {
  const from = since.getTime();
  const to = now.getTime();
  const inSpan = (p: number): boolean => p > from && p <= to;
  const identities = await store.identities.list();
  const due = new Set<string>();
  for (const person of identities) {
    const points: number[] = [];
    if (person.startAt) {
      const start = Date.parse(person.startAt);
      points.push(start, start - config.lifecycle.prehireLeadDays * DAY);
    }
    if (person.endAt) {
      const end = Date.parse(person.endAt);
      points.push(end);
      for (const target of config.targets) if (target.leaver.deleteAfterMs !== null) points.push(end + target.leaver.deleteAfterMs);
    }
    if (points.some(inSpan)) due.add(person.id);
  }
  const graces = config.targets.filter((t) => t.leaver.deleteAfterMs !== null);
  if (graces.length === 0) return [...due];
  const byId = new Map(identities.map((i) => [i.id, i]));
  for (const target of graces) {
    const grace = target.leaver.deleteAfterMs!;
    for (const link of await store.accounts.listGraceCandidates(target.id)) {
      if (due.has(link.identityId)) continue;
      const person = byId.get(link.identityId);
      const ends: number[] = [];
      if (link.disabledAt !== undefined) ends.push(Date.parse(link.disabledAt) + grace);
      if (link.outOfScopeSince !== undefined) ends.push(Date.parse(link.outOfScopeSince) + grace);
      if (!link.enabled && person !== undefined) ends.push(Date.parse(person.updatedAt) + grace);
      if (ends.some(inSpan)) due.add(link.identityId);
    }
  }
  return [...due];
}

/** mulberry32: the same random cases on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The scheduler's due check through the store's date query (engine/due.ts)
 * against the oracle, on random people, links, configurations and spans of a
 * SQLite store. The dates are drawn mostly from the spans' edges (exactly,
 * and a millisecond either side, shifted by the prehire lead and each delete
 * grace), so every strict and non-strict bound is met many times.
 */
describe('dueSince through the date indexes answers as reading everyone did', () => {
  const BASE = Date.parse('2030-02-09T00:00:00.000Z');
  const LEADS = [0, 1, 7, 30];
  const GRACES = [null, 0, 60_000, DAY, 30 * DAY];
  const TRIALS = 60;
  let store: Store;

  beforeAll(async () => {
    store = await openStore('sqlite::memory:');
  });
  afterAll(async () => {
    await store.close();
  });

  it(`${TRIALS} random cases, each with 5 spans, agree (ids and order)`, async () => {
    const next = random(20_300_209);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    let dueSeen = 0;
    let linkDueSeen = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const lead = pick(LEADS);
      const targets = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, i) => ({ id: `t${i}`, leaver: { deleteAfterMs: pick(GRACES) } }));
      const config = { lifecycle: { prehireLeadDays: lead }, targets } as unknown as RosterConfig;
      const spans = Array.from({ length: 5 }, () => {
        const since = BASE + Math.floor((next() - 0.5) * 60 * DAY);
        // A minute mostly; sometimes a millisecond, an hour, or three days (serve was down).
        return { since, now: since + pick([1, 60_000, 60_000, 3_600_000, 3 * DAY]) };
      });
      const shifts = [0, lead * DAY, ...targets.flatMap((t) => (t.leaver.deleteAfterMs === null ? [] : [-t.leaver.deleteAfterMs]))];
      const edges = spans.flatMap((s) => [s.since, s.now]).flatMap((e) => shifts.map((d) => e + d)).flatMap((e) => [e - 1, e, e, e + 1]);
      const instant = (): string => {
        const roll = next();
        if (roll < 0.7) return new Date(pick(edges)).toISOString();
        if (roll < 0.98) return new Date(BASE + Math.floor((next() - 0.5) * 120 * DAY)).toISOString();
        return pick(['+010000-01-01T00:00:00.000Z', '-000001-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']);
      };
      const people: Identity[] = Array.from({ length: 40 }, (_, i) => identity(`T${trial}-${String(i).padStart(2, '0')}`, {
        ...(next() < 0.7 ? { startAt: instant() } : {}),
        ...(next() < 0.5 ? { endAt: instant() } : {}),
        updatedAt: instant(),
      }));
      const links: LinkedAccount[] = people.filter(() => next() < 0.5).map((p) => account(pick(targets).id, p.id, {
        enabled: next() < 0.4,
        ...(next() < 0.5 ? { disabledAt: instant() } : {}),
        ...(next() < 0.3 ? { outOfScopeSince: instant() } : {}),
      }));
      // Some links of people the store does not hold.
      links.push(account(targets[0]!.id, `T${trial}-gone`, { enabled: false, disabledAt: instant() }));
      await store.identities.upsertMany(people);
      await store.accounts.upsertMany(links);
      for (const span of spans) {
        const since = new Date(span.since);
        const now = new Date(span.now);
        const expected = await dueSinceReadingEveryone(store, config, since, now);
        expect({ trial, since, now, due: await dueSince(store, config, since, now) }).toEqual({ trial, since, now, due: expected });
        dueSeen += expected.length;
        linkDueSeen += expected.filter((id) => links.some((l) => l.identityId === id)).length;
      }
    }
    // The cases are not empty: many people were due, some of them through their links.
    expect(dueSeen).toBeGreaterThan(500);
    expect(linkDueSeen).toBeGreaterThan(100);
  }, 60_000);

  it('a span reaching past the years 0000-9999 is cut there: no error, and dates beyond them are never due', async () => {
    const edges = await openStore('sqlite::memory:');
    try {
      await edges.identities.upsertMany([
        identity('first', { startAt: '0000-01-01T00:00:00.000Z' }), identity('last', { startAt: '9999-12-31T23:59:59.999Z' }),
        identity('beyond', { startAt: '+010000-01-01T00:00:00.000Z' }), identity('before', { startAt: '-000001-12-31T23:59:59.999Z' }),
        identity('today', { startAt: '2030-02-09T00:00:00.000Z' }),
      ]);
      const config = (prehireLeadDays: number) => ({ lifecycle: { prehireLeadDays }, targets: [] }) as unknown as RosterConfig;
      const all = [new Date(Date.parse('-000001-12-31T23:59:59.999Z')), new Date(Date.parse('+010000-12-31T00:00:00.000Z'))] as const;
      expect(await dueSince(edges, config(0), ...all)).toEqual(['first', 'last', 'today']);
      // Reading everyone found 'beyond' too (a tick's span never reaches the year 10000).
      expect(await dueSinceReadingEveryone(edges, config(0), ...all)).toEqual(['beyond', 'first', 'last', 'today']);
      // A prehire lead of 27,000 years: its span lies past any date; the start's own span still counts.
      const minute = [new Date('2030-02-08T23:59:30.000Z'), new Date('2030-02-09T00:00:30.000Z')] as const;
      expect(await dueSince(edges, config(10_000_000), ...minute)).toEqual(['today']);
      expect(await dueSinceReadingEveryone(edges, config(10_000_000), ...minute)).toEqual(['today']);
    } finally {
      await edges.close();
    }
  });
});
