import { Mutex } from '../../core/mutex.js';
import { RosterError } from '../../core/errors.js';
import type { ClientPool } from '../directory/pool.js';

/** Numbers checked free with one search and then handed out without asking the directory again. */
const BLOCK = 64;

/**
 * Allocates uidNumbers from a configured range, above the highest in use.
 * The range is read from the directory once; then numbers are handed out in
 * blocks of 64, each block first checked free with one range search (a
 * number in it that something outside Roster took makes the range be read
 * again and the next block start above it). A number is reserved before its
 * add is sent, so creates go on in parallel; a failed add leaves a gap, never
 * a duplicate. Within this process numbers never repeat; two Roster processes
 * writing the same directory should use different ranges (or the directory
 * should enforce uniqueness, as slapd's unique overlay does).
 *
 * "In use" means anywhere Roster's accounts can be: below the users base
 * and below the disabled OU of the move strategy (often outside it), so a
 * kept leaver's number is never handed to a joiner after a restart. Each
 * check searches every base (one range search each).
 */
export class UidNumberAllocator {
  readonly #pool: ClientPool;
  readonly #bases: readonly string[];
  readonly #min: number;
  readonly #max: number;
  readonly #mutex = new Mutex();
  /** The next number to hand out and the last of its checked block; undefined before the first block. */
  #next = 0;
  #blockEnd: number | undefined;

  constructor(pool: ClientPool, bases: readonly string[], range: { readonly min: number; readonly max: number }) {
    this.#pool = pool;
    this.#bases = bases;
    this.#min = range.min;
    this.#max = range.max;
  }

  /** Run `use` with a fresh uidNumber (reserved for it alone, whether `use` succeeds or not). */
  async allocate<T>(use: (uidNumber: number) => Promise<T>): Promise<T> {
    return use(await this.#mutex.run(() => this.#reserve()));
  }

  async #reserve(): Promise<number> {
    if (this.#blockEnd === undefined || this.#next > this.#blockEnd) await this.#nextBlock();
    return this.#next++;
  }

  /** The next free block above everything in use (read from the directory the first time and whenever a block is not free). */
  async #nextBlock(): Promise<void> {
    let start = this.#blockEnd === undefined ? await this.#highestIn(this.#min, this.#max) + 1 : this.#blockEnd + 1;
    for (;;) {
      if (start > this.#max) throw new RosterError('target.rejected', `no free uidNumber left in ${this.#min}-${this.#max}`);
      const end = Math.min(start + BLOCK - 1, this.#max);
      const taken = await this.#highestIn(start, end);
      if (taken < start) {
        this.#next = start;
        this.#blockEnd = end;
        return;
      }
      start = await this.#highestIn(this.#min, this.#max) + 1;
    }
  }

  /** The highest uidNumber in [from, to] held by an entry under the bases; from - 1 when none is. */
  async #highestIn(from: number, to: number): Promise<number> {
    const filter = `(&(uidNumber>=${from})(uidNumber<=${to}))`;
    let highest = from - 1;
    for (const base of this.#bases) {
      const client = await this.#pool.lease();
      for await (const page of client.searchPaginated(base, { scope: 'sub', filter, attributes: ['uidNumber'], paged: { pageSize: 1000 } })) {
        for (const entry of page.searchEntries) {
          const value = Number(entry.uidNumber);
          if (Number.isInteger(value) && value > highest) highest = value;
        }
      }
    }
    return highest;
  }
}
