import type { RosterConfig } from '../config/types.js';
import type { Identity, LinkedAccount } from '../core/types.js';
import { graceEnd, graceStartFor } from '../policy/lifecycle-rules.js';
import type { DateSpan, Store } from '../store/types.js';

const DAY = 86_400_000;

/**
 * The identities one of whose date boundaries fell in (since, now]: what the
 * scheduler's tick reconciles (engine/scheduler.ts).
 * - from the person: the start and the prehire lead time before it, the end
 *   date and the end date plus each target's delete grace;
 * - from the links of targets that delete after a grace (policy/lifecycle-rules.ts
 *   counts the grace from the later of the end and the disable, and for an
 *   account out of scope from when it left scope): the disable plus the
 *   grace, the link's `outOfScopeSince` plus the grace, and for a disabled
 *   account the person's last change plus the grace (when a disabled
 *   account's person left scope, Roster counts from the later of the two).
 * A termination entered late, or an account out of scope, is deleted when
 * its grace ends, not at the next full read of the source (there may be none).
 * Every minute, so nobody is read whole but the people found: their dates
 * through the store's date indexes (personSpans), the links that may be in a
 * grace, and the people of disabled ones among them.
 */
export async function dueSince(store: Store, config: RosterConfig, since: Date, now: Date): Promise<string[]> {
  const from = since.getTime();
  const to = now.getTime();
  const inSpan = (p: number): boolean => p > from && p <= to;
  const due = new Set(await store.identities.listIdsDatedIn(personSpans(config, from, to)));
  const graces = config.targets.filter((t) => t.leaver.deleteAfterMs !== null);
  if (graces.length === 0) return [...due];
  const candidates: { readonly grace: number; readonly links: readonly LinkedAccount[] }[] = [];
  for (const target of graces) {
    candidates.push({ grace: target.leaver.deleteAfterMs!, links: await store.accounts.listGraceCandidates(target.id) });
  }
  // The person is read only for a disabled account (its last change may end the grace) not due already.
  const wanted = candidates.flatMap((c) => c.links.filter((l) => !l.enabled && !due.has(l.identityId)).map((l) => l.identityId));
  const byId = new Map((wanted.length === 0 ? [] : await store.identities.getMany(wanted)).map((i) => [i.id, i]));
  for (const { grace, links } of candidates) {
    for (const link of links) {
      if (due.has(link.identityId)) continue;
      if (linkGraceEnds(link, byId.get(link.identityId), grace, config.lifecycle.timezone).some(inSpan)) due.add(link.identityId);
    }
  }
  return [...due];
}

/** The first and last instants whose ISO text has four year digits: the range DateSpan compares in order. */
const FIRST_TEXT_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_TEXT_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The spans of the person's own dates that put one of their boundaries in
 * (from, to]: the start, the start minus the prehire lead (start in
 * (from + lead, to + lead]), the end, and the end plus each distinct delete
 * grace (end in (from − grace, to − grace]). A lead, and a grace of whole
 * days, are calendar days in lifecycle.timezone as the policy counts them
 * (policy/lifecycle-rules.ts graceEnd): across a clock change the span is
 * an hour off 24 h × n, so the tick fires when the decision changes, not an
 * hour before it (with nothing to do then). A span past the years 0000-9999
 * is cut there (a lead or grace of thousands of years: dates beyond are never due).
 */
export function personSpans(config: RosterConfig, from: number, to: number): DateSpan[] {
  const lead = config.lifecycle.prehireLeadDays * DAY;
  const zone = config.lifecycle.timezone;
  const graces = new Set(config.targets.flatMap((t) => (t.leaver.deleteAfterMs === null ? [] : [t.leaver.deleteAfterMs])));
  // The lead opens `prehireLeadDays` calendar days before the start (policy/lifecycle-rules.ts): start in (from + lead, to + lead], in calendar days.
  const spans = [textSpan('start', from, to), textSpan('start', graceEnd(from, lead, zone), graceEnd(to, lead, zone)), textSpan('end', from, to)];
  for (const grace of graces) spans.push(textSpan('end', graceStartFor(from, grace, zone), graceStartFor(to, grace, zone)));
  // Equal spans (a lead of 0, a grace of 0) are read once.
  const seen = new Set<string>();
  return spans.filter((span): span is DateSpan => {
    if (span === undefined) return false;
    const key = `${span.date} ${span.after} ${span.through}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** (after, through] in ms as ISO text; undefined when no date of years 0000-9999 is in it. */
function textSpan(date: DateSpan['date'], after: number, through: number): DateSpan | undefined {
  if (!(after < through) || through < FIRST_TEXT_MS || after >= LAST_TEXT_MS) return undefined;
  return {
    date,
    // '0' sorts below every date of the years 0000-9999 and above those beyond ('+010000-…', '-000001-…').
    after: after < FIRST_TEXT_MS ? '0' : new Date(after).toISOString(),
    through: new Date(Math.min(through, LAST_TEXT_MS)).toISOString(),
  };
}

/** When the delete grace of this link may end (ms); NaN for a date that does not parse (never in a span). */
function linkGraceEnds(link: LinkedAccount, identity: Identity | undefined, grace: number, zone: string): number[] {
  const ends: number[] = [];
  if (link.disabledAt !== undefined) ends.push(graceEnd(Date.parse(link.disabledAt), grace, zone));
  if (link.outOfScopeSince !== undefined) ends.push(graceEnd(Date.parse(link.outOfScopeSince), grace, zone));
  if (!link.enabled && identity !== undefined) ends.push(graceEnd(Date.parse(identity.updatedAt), grace, zone));
  return ends;
}
