import { Mutex } from '../../core/mutex.js';
import { RosterError } from '../../core/errors.js';
import type { ClientPool } from '../directory/pool.js';

/**
 * Allocates uidNumbers from a configured range: one more than the highest in
 * use (read from the directory each time, one allocation at a time in this
 * process). Two Roster processes writing the same directory should use
 * different ranges.
 */
export class UidNumberAllocator {
  readonly #pool: ClientPool;
  readonly #base: string;
  readonly #min: number;
  readonly #max: number;
  readonly #mutex = new Mutex();
  #last = -1;

  constructor(pool: ClientPool, base: string, range: { readonly min: number; readonly max: number }) {
    this.#pool = pool;
    this.#base = base;
    this.#min = range.min;
    this.#max = range.max;
  }

  /** Run `use` with a fresh uidNumber; the next call waits until it is stored. */
  allocate<T>(use: (uidNumber: number) => Promise<T>): Promise<T> {
    return this.#mutex.run(async () => {
      const next = Math.max(await this.#highestInUse(), this.#last) + 1;
      if (next > this.#max) throw new RosterError('target.rejected', `no free uidNumber left in ${this.#min}-${this.#max}`);
      const result = await use(next);
      this.#last = next;
      return result;
    });
  }

  async #highestInUse(): Promise<number> {
    const filter = `(&(uidNumber>=${this.#min})(uidNumber<=${this.#max}))`;
    let highest = this.#min - 1;
    const client = await this.#pool.lease();
    for await (const page of client.searchPaginated(this.#base, { scope: 'sub', filter, attributes: ['uidNumber'], paged: { pageSize: 1000 } })) {
      for (const entry of page.searchEntries) {
        const value = Number(entry.uidNumber);
        if (Number.isInteger(value) && value > highest) highest = value;
      }
    }
    return highest;
  }
}
