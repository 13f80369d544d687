import { RosterError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { MISMATCH_ACCEPTED_KIND } from './mismatch.js';
import type { VerifyResult } from './verify.js';

/** What an acceptance recorded: its own entry's seq, who accepted, and the mismatch entries it covers. */
export interface Acceptance {
  readonly seq: number;
  readonly actor: string;
  readonly through: number;
  readonly mismatches: readonly number[];
}

/**
 * Records that `actor` has seen the head mismatches at or before entry
 * `through` (an `audit.mismatch_accepted` entry, itself in the chain), after
 * which verify no longer fails on them. `result` is a verify run just before:
 * only mismatches it listed and not yet accepted can be accepted. Refused
 * when the chain is broken: verify stops at the break, so an acceptance
 * appended after it would never be seen (nor could it be trusted).
 */
export async function acceptMismatches(store: Store, result: VerifyResult, through: number, actor: string): Promise<Acceptance> {
  if ('firstBad' in result) {
    throw new RosterError('request.invalid', `the chain is broken at entry ${result.firstBad.seq}: an acceptance appended after the break could not be verified`);
  }
  if (through > result.head.seq) {
    throw new RosterError('request.invalid', `entry ${through} is past the end of the log (seq ${result.head.seq})`);
  }
  const mismatches = (result.mismatches ?? []).filter((m) => m.accepted === undefined && m.seq <= through).map((m) => m.seq);
  if (mismatches.length === 0) {
    throw new RosterError('request.invalid', `no head mismatch waiting to be accepted at or before entry ${through}`);
  }
  const [entry] = await store.audit.append([{ kind: MISMATCH_ACCEPTED_KIND, actor, data: { through, mismatches } }]);
  return { seq: entry!.seq, actor, through, mismatches };
}
