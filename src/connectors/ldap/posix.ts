import { Mutex } from '../../core/mutex.js';
import { RosterError } from '../../core/errors.js';
import type { ClientPool } from '../directory/pool.js';

/** Numbers found free with one range search, each asked about once more just before it is handed out. */
const BLOCK = 64;

/**
 * Allocates uidNumbers from a configured range, above the highest in use.
 * The range is read from the directory once; then numbers are taken from
 * blocks of 64, each block first checked free with one range search (a
 * number in it that something outside Roster took makes the range be read
 * again and the next block start above it). A block is only a guess when
 * another process (`roster serve` and an operator's `roster apply`) writes
 * the same directory: both take the block above the highest in use. So each
 * number is reserved under the lock, then checked still free with one
 * equality search outside it (creates go on in parallel); a taken one ends
 * the block, and the next is read above everything then in use. A failed add
 * leaves a gap, never a duplicate. Within this process numbers never repeat;
 * between processes only two adds racing between one's check and its add can
 * still collide (the directory's unique overlay closes that window).
 *
 * "In use" means anywhere Roster's accounts can be: below the users base
 * and below the disabled OU of the move strategy (often outside it), so a
 * kept leaver's number is never handed to a joiner after a restart. Each
 * check searches every base.
 */
export class UidNumberAllocator {
  readonly #pool: ClientPool;
  readonly #bases: readonly string[];
  readonly #min: number;
  readonly #max: number;
  readonly #mutex = new Mutex();
  /** The next number to hand out and its block; no block before the first and after a number in it was found taken. */
  #next = 0;
  #blockStart = 0;
  #blockEnd: number | undefined;

  constructor(pool: ClientPool, bases: readonly string[], range: { readonly min: number; readonly max: number }) {
    this.#pool = pool;
    this.#bases = bases;
    this.#min = range.min;
    this.#max = range.max;
  }

  /** Run `use` with a fresh uidNumber (reserved for it alone, whether `use` succeeds or not). */
  async allocate<T>(use: (uidNumber: number) => Promise<T>): Promise<T> {
    for (;;) {
      const uidNumber = await this.#mutex.run(() => this.#reserve());
      if (await this.#free(uidNumber)) return use(uidNumber);
      await this.#mutex.run(async () => this.#taken(uidNumber));
    }
  }

  async #reserve(): Promise<number> {
    if (this.#blockEnd === undefined || this.#next > this.#blockEnd) await this.#nextBlock();
    return this.#next++;
  }

  /** Someone else holds a number of the current block: the rest of it is likely theirs too, so read the directory again. */
  #taken(uidNumber: number): void {
    if (uidNumber >= this.#blockStart) this.#blockEnd = undefined;
  }

  /** The next free block above everything in use and everything this process reserved. */
  async #nextBlock(): Promise<void> {
    let start = this.#blockEnd === undefined ? Math.max(this.#next, await this.#highestIn(this.#min, this.#max) + 1) : this.#blockEnd + 1;
    for (;;) {
      if (start > this.#max) throw new RosterError('target.rejected', `no free uidNumber left in ${this.#min}-${this.#max}`);
      const end = Math.min(start + BLOCK - 1, this.#max);
      const taken = await this.#highestIn(start, end);
      if (taken < start) {
        this.#next = start;
        this.#blockStart = start;
        this.#blockEnd = end;
        return;
      }
      start = await this.#highestIn(this.#min, this.#max) + 1;
    }
  }

  /** Does no entry under the bases hold the number (yet)? One equality search per base, in parallel. */
  async #free(uidNumber: number): Promise<boolean> {
    const found = await Promise.all(this.#bases.map((base) => this.#pool.use((c) => c.search(base, {
      scope: 'sub', filter: `(uidNumber=${uidNumber})`, attributes: ['1.1'],
    }))));
    return found.every(({ searchEntries }) => searchEntries.length === 0);
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
