import { asHead, type AuditHead } from './head.js';

/** The first entry found wrong (or, for a removed tail, the first one missing) and why. */
export interface ChainBreak {
  readonly seq: number;
  readonly reason: string;
}

/** The hash of entry `seq` (the genesis hash for 0), undefined when there is no such entry. */
export type HashAt = (seq: number) => Promise<string | undefined>;

function entries(count: number, verb: string): string {
  return count === 1 ? `1 entry was ${verb}` : `${count} entries were ${verb}`;
}

/**
 * Compares the end of a chain that verified up to `end` with a head. A head
 * past the end means the tail was removed; the same seq with another hash,
 * or a head whose entry now hashes differently, means entries were
 * rewritten. A head behind the end is an error only for the stored head,
 * which every append moves (`allowGrowth` is for a head recorded earlier).
 */
async function compare(end: AuditHead, head: AuditHead, hashAt: HashAt, label: string, allowGrowth: boolean): Promise<ChainBreak | undefined> {
  if (head.seq > end.seq) {
    return {
      seq: end.seq + 1,
      reason: `the log ends at seq ${end.seq} but ${label} says seq ${head.seq}: ${entries(head.seq - end.seq, 'removed')} from the end`,
    };
  }
  const hash = head.seq === end.seq ? end.hash : await hashAt(head.seq);
  if (hash !== head.hash) {
    return { seq: head.seq, reason: `entry ${head.seq} does not match the hash in ${label}: the log was rewritten up to this entry` };
  }
  if (head.seq === end.seq || allowGrowth) return undefined;
  return {
    seq: head.seq + 1,
    reason: `the log ends at seq ${end.seq} but ${label} says seq ${head.seq}: `
      + `${entries(end.seq - head.seq, 'appended')} without moving the head (written around Roster)`,
  };
}

/** Checks the head the store keeps (its raw stored value: it may be missing or damaged). */
export function checkStoredHead(end: AuditHead, stored: unknown, hashAt: HashAt): Promise<ChainBreak | undefined> {
  const head = asHead(stored);
  if (head === undefined) {
    const what = stored === undefined ? 'missing' : 'malformed';
    return Promise.resolve({ seq: end.seq, reason: `the chain head is ${what}: the end of the log cannot be checked (was it deleted or overwritten?)` });
  }
  return compare(end, head, hashAt, 'its head', false);
}

/** Checks a head recorded outside the database: the log must still hold it, and may have grown past it. */
export function checkRecordedHead(end: AuditHead, recorded: AuditHead, hashAt: HashAt): Promise<ChainBreak | undefined> {
  return compare(end, recorded, hashAt, 'the recorded head', true);
}
