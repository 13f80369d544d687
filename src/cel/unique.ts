/**
 * What `unique([...])` returns in a mapping: candidate values, best first.
 * The policy engine takes the first candidate that no other account in the
 * target already holds (e.g. `zoe.muller`, then `zmuller`).
 */
export class UniqueCandidates {
  constructor(readonly candidates: readonly string[]) {}
}
