import { Attribute, Change } from 'ldapts';
import { RosterError } from '../../core/errors.js';
import type { ClientPool } from '../directory/pool.js';
import { isNoSuchObject, resultCodeOf, ResultCode } from '../directory/errors.js';
import type { UidCounterConfig } from './config.js';

/** How many times in a row other writers may move the counter between this process's read and its modify before a take gives up (retryable). */
const MAX_CONFLICTS = 100;

/** The error of a range with no number left (marked in its details, for isRangeFull). */
export function rangeFull(min: number, max: number, detail = ''): RosterError {
  return new RosterError('target.rejected', `no free uidNumber left in ${min}-${max}${detail}`, { details: { uidNumberRangeFull: true } });
}

/** Whether `error` is rangeFull's: the allocator deletes (or a conversion undoes) an entry with no number left to move to. */
export const isRangeFull = (error: unknown): boolean => error instanceof RosterError && error.details?.['uidNumberRangeFull'] === true;

/**
 * A counter entry (users.posix.counter) that every uidNumber is taken from:
 * its attribute holds the next number to hand out, and taking number N is
 * one modify that deletes the value read and adds N + 1. A modify is atomic
 * (RFC 4511 §4.6) and deleting a value that is not there fails with
 * noSuchAttribute, so of two writers that read the same value only one
 * takes it; the other reads again. A number is therefore handed out once,
 * whatever became of the entry that held it (deleted leavers' numbers never
 * come back), across restarts and processes. One number per modify; one
 * whose modify was applied but whose answer was lost (or resent and
 * refused) is a gap, never handed out twice.
 *
 * The counter is never created: a missing entry is an error naming its DN
 * (creating it at the directory's highest number + 1 would hand out again
 * every number above the highest still held, the reuse the counter is there
 * to prevent, and a mistyped DN would start a second counter). Its value
 * below `floor` (the range's min, or above numbers found in use: see
 * posix.ts) is taken from `floor` on, and the counter written past it.
 *
 * A counter only goes up, so one read below a value this process wrote
 * there was set back (by hand, or restored from an old backup): every
 * number below the value written was handed out already, and a free one
 * among them may be a deleted person's. The take goes on above that value
 * and above the highest number in use then (`rewound`, read again), never
 * from the value set back. (Only values written count: one merely read may
 * be a typo an operator corrects, which would stop this process for good.)
 */
export class UidCounter {
  readonly #pool: ClientPool;
  readonly #dn: string;
  readonly #attribute: string;
  readonly #min: number;
  readonly #max: number;
  /** The value this process last wrote; unknown before the first take and after another writer moved the counter. */
  #known: string | undefined;
  /** The value this process last wrote (0 before its first take): the counter found below it was set back. */
  #seen = 0;

  constructor(pool: ClientPool, counter: UidCounterConfig, range: { readonly min: number; readonly max: number }) {
    this.#pool = pool;
    this.#dn = counter.dn;
    this.#attribute = counter.attribute;
    this.#min = range.min;
    this.#max = range.max;
  }

  get dn(): string {
    return this.#dn;
  }

  /**
   * Take the next number, at least `floor` and within the range, from the counter (callers serialise takes within a
   * process). `rewound` gives the floor again, read from the directory, when the counter is found set back.
   */
  async take(floor: number, rewound: () => Promise<number>): Promise<number> {
    for (let conflicts = 0; conflicts < MAX_CONFLICTS; conflicts++) {
      const value = this.#known ?? await this.#read();
      if (Number(value) < this.#seen) floor = Math.max(floor, await rewound());
      const taken = Math.max(Number(value), this.#seen, floor, this.#min);
      if (taken > this.#max) throw rangeFull(this.#min, this.#max, ` (the counter ${this.#dn} is at ${value})`);
      const next = String(taken + 1);
      try {
        await this.#pool.use((c) => c.modify(this.#dn, [
          new Change({ operation: 'delete', modification: new Attribute({ type: this.#attribute, values: [value] }) }),
          new Change({ operation: 'add', modification: new Attribute({ type: this.#attribute, values: [next] }) }),
        ]));
      } catch (error) {
        this.#known = undefined;
        // Another writer took this value first (or this modify was applied, its answer lost and the resent one refused): read again.
        if (resultCodeOf(error) === ResultCode.noSuchAttribute) continue;
        if (isNoSuchObject(error)) throw this.#missing();
        throw error;
      }
      this.#known = next;
      this.#seen = taken + 1;
      return taken;
    }
    throw new RosterError('target.unavailable', `the uidNumber counter ${this.#dn} changed under every one of ${MAX_CONFLICTS} takes in a row`, { retryable: true });
  }

  /** The counter's value as the directory holds it (the exact text, which the modify deletes). */
  async #read(): Promise<string> {
    const search = this.#pool.use((c) => c.search(this.#dn, { scope: 'base', filter: '(objectClass=*)', attributes: [this.#attribute] }));
    const { searchEntries: [entry] } = await search.catch((error: unknown) => Promise.reject(isNoSuchObject(error) ? this.#missing() : error));
    if (entry === undefined) throw this.#missing();
    const name = Object.keys(entry).find((key) => key.toLowerCase() === this.#attribute.toLowerCase());
    const raw = name === undefined ? [] : entry[name];
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    const [value] = values;
    if (values.length !== 1 || value === undefined || !/^\d+$/.test(value.trim())) {
      throw new RosterError('target.rejected', `the uidNumber counter ${this.#dn} must hold exactly one ${this.#attribute} value, a number (the next uidNumber to hand out); it holds ${shownValues(values)} (users.posix.counter)`);
    }
    return value;
  }

  #missing(): RosterError {
    return new RosterError('target.rejected', `the uidNumber counter ${this.#dn} does not exist (or the bind DN cannot read it): add it with ${this.#attribute} set to the next number to hand out, above every uidNumber ever given (users.posix.counter); Roster does not create it`);
  }
}

/** Values shown in an error, bounded: whoever may write the counter must not fill logs and job errors with it. */
const SHOWN_VALUES = 3;
const SHOWN_CHARS = 40;

function shownValues(values: readonly string[]): string {
  if (values.length === 0) return 'none';
  const shown = values.slice(0, SHOWN_VALUES).map((v) => JSON.stringify(v.length > SHOWN_CHARS ? `${v.slice(0, SHOWN_CHARS)}…` : v) + (v.length > SHOWN_CHARS ? ` (${v.length} characters)` : ''));
  return values.length > SHOWN_VALUES ? `${shown.join(', ')} and ${values.length - SHOWN_VALUES} more` : shown.join(', ');
}
