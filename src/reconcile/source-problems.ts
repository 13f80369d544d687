import type { Hold, Plan, SourceProblem } from '../core/types.js';
import type { Store } from '../store/types.js';

/** The hold of an orphan plan made while a source's last read skipped rows of people the store does not know. */
export const SOURCE_PROBLEMS = 'reconcile.source_problems';

/** The newest `source.ingested` entries looked at: each source's last read is among them unless others read far more often. */
const RECENT_INGESTS = 500;

/** At most this many rows are named in the message. */
const NAMED = 5;

interface Unread {
  readonly sourceId: string;
  readonly problems: readonly SourceProblem[];
}

/**
 * Reconcile matches accounts to the people in the store; a person whose HR
 * row the last read of a source skipped (a wrong column count, a bad date, no
 * key) is not there, so their account looks like an orphan. Acting on it
 * (`orphans: disable | delete`) would take a real person's access away
 * because of a typo in the HR file, the mistake lifecycle/missing.ts refuses
 * to make for leavers. So while a source's last read has a skipped row whose
 * key is no stored identity's (or that has no readable key: it may be
 * anyone), the orphan actions are held. `--force` does not lift it
 * (reconcile/holds.ts): fixing the rows and reading the source again does.
 * Read from the audit log (the `source.ingested` entry of each source's last
 * read, which lists its problems); undefined when nothing is unread.
 */
export async function sourceProblemsHold(store: Store, sourceIds: readonly string[], target: string): Promise<Hold | undefined> {
  const unread = await unreadRows(store, sourceIds);
  if (unread.length === 0) return undefined;
  const rows = unread.flatMap((u) => u.problems.map((p) => ({ sourceId: u.sourceId, ...p })));
  const named = rows.slice(0, NAMED).map(rowText);
  const more = rows.length > NAMED ? `; and ${rows.length - NAMED} more` : '';
  const [one, many] = rows.every((r) => r.entry !== undefined) ? ['entry', 'entries'] : rows.some((r) => r.entry !== undefined) ? ['row', 'rows and entries'] : ['row', 'rows'];
  return {
    target, code: SOURCE_PROBLEMS, count: rows.length, limit: 0,
    message: `${target}: orphan actions held: the last read of ${unread.map((u) => u.sourceId).join(', ')} skipped ${rows.length} `
      + `${rows.length === 1 ? one : many} of people not in the store (${named.join('; ')}${more}), so some orphans may be their accounts; `
      + `fix the ${rows.length === 1 ? one : many}, read the sources again (roster plan or roster sync), then reconcile`,
  };
}

/**
 * A skipped row as the hold names it: a file's by its line (and key); a directory entry (`entry` set) by its key, its
 * message naming the DN: its line is only where the entry came in the server's answer (as cli/plan-format.ts).
 */
function rowText(r: SourceProblem & { readonly sourceId: string }): string {
  const key = r.key !== undefined && r.key !== '' ? r.key : undefined;
  if (r.entry !== undefined) return `${r.sourceId}${key === undefined ? '' : ` ${key}`}: ${r.message}`;
  return `${r.sourceId} line ${r.line}${key === undefined ? '' : ` (${key})`}: ${r.message}`;
}

/** The plan with this hold added, when it plans an orphan action at all (a report-only plan has nothing to hold). */
export function withHold(plan: Plan, hold: Hold | undefined): Plan {
  if (hold === undefined || plan.changes.length === 0 || plan.holds.some((h) => h.code === hold.code)) return plan;
  return { ...plan, held: true, holds: [...plan.holds, hold] };
}

/** Each configured source's last read's skipped rows that may be a person the store does not have. */
async function unreadRows(store: Store, sourceIds: readonly string[]): Promise<Unread[]> {
  const wanted = new Set(sourceIds);
  const last = new Map<string, readonly SourceProblem[]>();
  // A few entries first (sources are usually read in turn); the long look back only when a source's last read is further back.
  for (const limit of [4 * wanted.size, RECENT_INGESTS]) {
    if (wanted.size === 0 || last.size === wanted.size) break;
    for (const entry of await store.audit.list({ kind: 'source.ingested', order: 'desc', limit })) {
      const data = entry.data as { sourceId?: unknown; problems?: unknown } | undefined;
      const sourceId = data?.sourceId;
      if (typeof sourceId !== 'string' || !wanted.has(sourceId) || last.has(sourceId)) continue;
      last.set(sourceId, Array.isArray(data?.problems) ? (data.problems as SourceProblem[]) : []);
    }
  }
  const keys = [...new Set([...last.values()].flatMap((problems) => problems.flatMap((p) => (typeof p.key === 'string' && p.key !== '' ? [p.key] : []))))];
  const known = new Set((keys.length === 0 ? [] : await store.identities.getMany(keys)).map((i) => i.id));
  const unread: Unread[] = [];
  for (const [sourceId, problems] of last) {
    const missing = problems.filter((p) => typeof p.key !== 'string' || p.key === '' || !known.has(p.key));
    if (missing.length > 0) unread.push({ sourceId, problems: missing });
  }
  return unread.sort((a, b) => a.sourceId.localeCompare(b.sourceId));
}
