/**
 * Test helper (not shipped behaviour): what the SCIM fuzz tests share. A
 * seeded float source, so a failure replays from the seed it prints, and a
 * pick from a list driven by it. The sequence is src/demo/random.ts's
 * (mulberry32), so there is one PRNG in the code base.
 */
import { seededRandom } from '../../demo/random.js';

/** A float in [0, 1), from a seeded sequence. */
export type Random = () => number;

export function seeded(seed: number): Random {
  return seededRandom(seed).next;
}

/** One item of a non-empty list, chosen by `random`. */
export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
