import type { RosterError } from '../core/errors.js';
import type { HeldValues } from '../policy/index.js';
import type { StateStore } from '../store/types.js';

/**
 * Unique values learnt from failed creates. A name can be taken where Roster
 * never looks: AD's sAMAccountName and userPrincipalName are unique in the
 * whole domain, not below `connection.base`; a SCIM application may keep a
 * userName it does not list. A create refused for that reason would be
 * planned again with the same name forever, since neither the links nor the
 * reconcile memo know it. So the connector says which value was taken
 * (`details.taken` of its error), the executor remembers it here, and plans
 * treat it as held like the memo's values: the next one picks `john.smith2`.
 *
 * One state key per target, apart from the memo (every reconcile pass
 * replaces that one). Bounded: a value is forgotten after LEARNED_TTL_MS (the
 * holder may be renamed or removed meanwhile), and each attribute keeps the
 * newest LEARNED_CAP values.
 */

/** One value a target said is taken: the Roster attribute (as the target's mapping names it) and its value. */
export interface TakenValue {
  readonly attribute: string;
  readonly value: string;
}

/** One learnt value and when it was learnt (ISO-8601). */
export interface LearnedValue {
  readonly value: string;
  readonly at: string;
}

/** What one target's key holds: attribute → learnt values, oldest first. */
export type LearnedValues = Readonly<Record<string, readonly LearnedValue[]>>;

export const LEARNED_TTL_MS = 30 * 86_400_000;
export const LEARNED_CAP = 10_000;

export const learnedKey = (target: string): string => `held:${target}`;

const isTaken = (entry: unknown): entry is TakenValue => {
  const { attribute, value } = (entry ?? {}) as Partial<Record<keyof TakenValue, unknown>>;
  return typeof attribute === 'string' && attribute !== '' && typeof value === 'string' && value.trim() !== '';
};

/** The values an error says are taken (`details.taken`, a list); anything malformed there is ignored. */
export function takenValues(error: RosterError): TakenValue[] {
  const taken = error.details?.taken;
  return Array.isArray(taken) ? taken.filter(isTaken).map(({ attribute, value }) => ({ attribute, value })) : [];
}

const normalise = (value: string): string => value.trim().toLowerCase();

/** The entries learnt less than LEARNED_TTL_MS before `now`; a malformed key (hand-edited, older shape) counts as nothing learnt, never as a failed plan. */
function live(entries: unknown, now: Date): LearnedValue[] {
  if (!Array.isArray(entries)) return [];
  return entries.filter((entry: Partial<LearnedValue> | null): entry is LearnedValue =>
    typeof entry?.value === 'string' && typeof entry.at === 'string' && now.getTime() - Date.parse(entry.at) < LEARNED_TTL_MS);
}

/** `current` with the taken values learnt at `now`: expired ones dropped, a value learnt again moved to the end, the oldest past the cap dropped. */
export function withLearned(current: LearnedValues | undefined, taken: readonly TakenValue[], now: Date): LearnedValues {
  const next: Record<string, LearnedValue[]> = {};
  for (const [attribute, values] of Object.entries(current ?? {})) next[attribute] = live(values, now);
  const at = now.toISOString();
  for (const { attribute, value } of taken) {
    const kept = (next[attribute] ?? []).filter((entry) => normalise(entry.value) !== normalise(value));
    kept.push({ value, at });
    next[attribute] = kept.slice(-LEARNED_CAP);
  }
  return Object.fromEntries(Object.entries(next).filter(([, values]) => values.length > 0));
}

/**
 * Remember that these values are taken in the target: one atomic
 * read-modify-write of the target's key (StateStore.update), so the values
 * learnt by several workers, in this process or others, all land.
 */
export async function learnTaken(state: Pick<StateStore, 'update'>, target: string, taken: readonly TakenValue[], now: Date): Promise<void> {
  await state.update<LearnedValues>(learnedKey(target), (current) => withLearned(current, taken, now));
}

/** Per target, the values learnt less than LEARNED_TTL_MS before `now` (one state read per target). */
export async function readLearned(state: Pick<StateStore, 'get'>, targets: readonly string[], now: Date): Promise<Map<string, HeldValues>> {
  const learned = new Map<string, HeldValues>();
  for (const target of targets) {
    const stored = await state.get<LearnedValues>(learnedKey(target));
    if (stored === undefined || stored === null || typeof stored !== 'object') continue;
    const held: Record<string, string[]> = {};
    for (const [attribute, entries] of Object.entries(stored)) {
      const values = live(entries, now).map((entry) => entry.value);
      if (values.length > 0) held[attribute] = values;
    }
    if (Object.keys(held).length > 0) learned.set(target, held);
  }
  return learned;
}

/** The memo's held values with the learnt ones added, per target and attribute (the index ignores repeats). */
export function withLearnedHeld(memo: ReadonlyMap<string, HeldValues>, learned: ReadonlyMap<string, HeldValues>): Map<string, HeldValues> {
  const merged = new Map(memo);
  for (const [target, values] of learned) {
    const held: Record<string, readonly string[]> = { ...merged.get(target) };
    for (const [attribute, list] of Object.entries(values)) held[attribute] = [...(held[attribute] ?? []), ...list];
    merged.set(target, held);
  }
  return merged;
}
