import type { AuditEntry, AuditEntryInput } from '../core/types.js';
import { asHead, type AuditHead } from './head.js';

/**
 * Evidence that the chain head did not match the log, kept in the log.
 *
 * An append that finds the stored head missing, malformed, or naming another
 * end than the log's last entry (the tail deleted, entries written around
 * Roster, the last entry replaced) still appends: provisioning must not
 * stop. But first, in the same transaction, it appends an entry of kind
 * `audit.head_mismatch` saying what the head said and where the log really
 * ended, so the next head write does not erase the evidence. verify lists
 * these entries and fails until an operator accepts them with an
 * `audit.mismatch_accepted` entry (`roster audit verify --accept-through`).
 */
export const HEAD_MISMATCH_KIND = 'audit.head_mismatch';
export const MISMATCH_ACCEPTED_KIND = 'audit.mismatch_accepted';
/** The actor of the entries Roster writes on its own. */
export const MISMATCH_ACTOR = 'system';

/** What the stored head held: a head, or that it was missing or malformed. */
export type FoundHead = AuditHead | 'missing' | 'malformed';

/** A mismatch as recorded: the entry's seq, what the head said, where the log ended, and a sentence saying what that means. */
export interface HeadMismatch {
  readonly seq: number;
  readonly head: FoundHead;
  readonly log: AuditHead;
  readonly found: string;
}

/** How much of a malformed head's text is kept in the entry. */
const STORED_EXCERPT = 200;

function entries(count: number, verb: string): string {
  return count === 1 ? `1 entry was ${verb}` : `${count} entries were ${verb}`;
}

/** What a head disagreeing with the log means, in a sentence. */
export function describeMismatch(head: FoundHead, log: AuditHead): string {
  if (head === 'missing' || head === 'malformed') {
    return `the chain head was ${head} (deleted or overwritten?); the log ended at seq ${log.seq}`;
  }
  const said = `the head said seq ${head.seq} but the log ended at seq ${log.seq}`;
  if (head.seq > log.seq) return `${said}: ${entries(head.seq - log.seq, 'removed')} from the end`;
  if (head.seq < log.seq) {
    return `${said}: ${entries(log.seq - head.seq, 'appended')} without moving the head (written around Roster), or the head was set back`;
  }
  return `the head and the log both end at seq ${log.seq} with different hashes: the last entry (or the head) was replaced`;
}

/** Whether the head found agrees with the log's end. */
export function headMatches(head: FoundHead, log: AuditHead): boolean {
  return typeof head === 'object' && head.seq === log.seq && head.hash === log.hash;
}

/**
 * The entry an append writes first when the head it found (`stored`: the raw
 * text of the roster_state row, null when there is none) disagrees with the
 * log's end; undefined when they agree.
 */
export function mismatchEntry(log: AuditHead, found: FoundHead, stored: string | null): AuditEntryInput | undefined {
  if (headMatches(found, log)) return undefined;
  return {
    kind: HEAD_MISMATCH_KIND,
    actor: MISMATCH_ACTOR,
    data: {
      head: found,
      ...(found === 'malformed' && stored !== null ? { stored: stored.slice(0, STORED_EXCERPT) } : {}),
      log,
      reason: describeMismatch(found, log),
    },
  };
}

/** A recorded mismatch as verify lists it; `accepted` names the acceptance covering it, if any. */
export interface RecordedMismatch {
  readonly seq: number;
  readonly at: string;
  readonly head: FoundHead | null;
  readonly log: AuditHead | null;
  readonly found: string;
  readonly accepted?: { readonly seq: number; readonly actor: string };
}

function foundHead(value: unknown): FoundHead | null {
  return value === 'missing' || value === 'malformed' ? value : asHead(value) ?? null;
}

function field(data: unknown, key: string): unknown {
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
}

/**
 * Collects the mismatches and acceptances of a chain walked in seq order.
 * An acceptance covers every mismatch before it with a seq at or below its
 * `through`: it can never accept a mismatch recorded after it, whatever
 * `through` says.
 */
export class MismatchLedger {
  readonly #all: RecordedMismatch[] = [];

  see(entry: AuditEntry): void {
    if (entry.kind === HEAD_MISMATCH_KIND) this.#record(entry);
    else if (entry.kind === MISMATCH_ACCEPTED_KIND) this.#accept(entry);
  }

  #record(entry: AuditEntry): void {
    const head = foundHead(field(entry.data, 'head'));
    const log = asHead(field(entry.data, 'log')) ?? null;
    const reason = field(entry.data, 'reason');
    const found = head !== null && log !== null
      ? describeMismatch(head, log)
      : typeof reason === 'string' ? reason : 'a head mismatch was recorded (its data is not in the usual form)';
    this.#all.push({ seq: entry.seq, at: entry.at, head, log, found });
  }

  #accept(entry: AuditEntry): void {
    const through = field(entry.data, 'through');
    if (typeof through !== 'number' || !Number.isSafeInteger(through)) return;
    const upTo = Math.min(through, entry.seq - 1);
    for (const [i, mismatch] of this.#all.entries()) {
      if (mismatch.accepted === undefined && mismatch.seq <= upTo) this.#all[i] = { ...mismatch, accepted: { seq: entry.seq, actor: entry.actor } };
    }
  }

  /** Every mismatch recorded, in seq order. */
  get all(): readonly RecordedMismatch[] {
    return this.#all;
  }

  /** Whether any recorded mismatch is not accepted yet. */
  get unaccepted(): boolean {
    return this.#all.some((m) => m.accepted === undefined);
  }
}
