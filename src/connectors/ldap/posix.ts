import { Attribute, Change, type Entry } from 'ldapts';
import { Mutex } from '../../core/mutex.js';
import { RosterError } from '../../core/errors.js';
import { pagedSearch } from '../directory/paged-search.js';
import type { ClientPool } from '../directory/pool.js';
import { isUnder, sameDn } from '../directory/dn.js';
import { isNoSuchObject } from '../directory/errors.js';
import type { UidCounterConfig } from './config.js';
import { isRangeFull, rangeFull, UidCounter } from './posix-counter.js';

/** What an add gives back: the entry's DN, entryUUID and values (names lower-cased). */
interface AddedEntry {
  readonly dn: string;
  readonly uuid: string;
  readonly values: ReadonlyMap<string, readonly string[]>;
}


/** Numbers found free with one range search, each asked about once more just before it is handed out. */
const BLOCK = 64;

/** How long before a converted entry's last change another holder's add counts as the race its conversion lost (settleConverted). */
const CONVERSION_RACE_MS = 60_000;

/** A GeneralizedTime as slapd writes createTimestamp (20261128221621Z, fractions allowed), in ms; undefined when it is not one. */
function generalizedTime(value: unknown): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d+)?Z$/.exec(String(value ?? ''));
  return m === null ? undefined : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

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
 * between processes two adds can still race between one's check and its
 * add (two processes reading the same highest number do so in step), so
 * every add is checked again after it (settle): an entry that finds its
 * number held twice moves to another. An add whose settle did not run (its
 * answer lost, the process stopped) is settled when the retried create
 * adopts the entry (settleAdopted); one that finds no number left to move
 * to is deleted again, so a full range fails the create, never keeps a
 * duplicate. A conversion (posix-convert.ts) is settled the same way: on its
 * retry (settleConverted), and undone on a full range.
 *
 * "In use" means anywhere in the naming context that holds the users base
 * and the disabled OU of the move strategy (#searchBases): a kept leaver's
 * number, or a service account's elsewhere in the tree, is never handed to a
 * joiner. Each check searches every such context.
 *
 * With a counter entry (users.posix.counter, posix-counter.ts) numbers come
 * from the counter instead of blocks: each is taken by one atomic modify,
 * so no two processes are handed one number and none is handed out again
 * after its holder is deleted. The checks stay, for entries numbered by
 * hand: the first take of a process starts above the highest number in use
 * (a counter behind the directory has numbers between given out without it;
 * a free one among them may be a deleted person's), a number found held
 * before its add moves the counter above the highest in use, and every add
 * is settled as above. The counter set back below a value this process
 * wrote is skipped past the same way (UidCounter.take). The counter entry
 * itself never counts as a holder (nor as an account: EntryReader.notAnAccount).
 */
export class UidNumberAllocator {
  readonly #pool: ClientPool;
  readonly #bases: readonly string[];
  /** Where numbers in use are looked for (see #searchBases), once read. */
  #searched: Promise<readonly string[]> | undefined;
  readonly #min: number;
  readonly #max: number;
  readonly #mutex = new Mutex();
  /** The next number to hand out and its block; no block before the first and after a number in it was found taken. */
  #next = 0;
  #blockStart = 0;
  #blockEnd: number | undefined;
  /** Numbers to leave out above the highest in use when the next block is read (after a collision). */
  #skip = 0;
  readonly #counter: UidCounter | undefined;
  /** With a counter: the lowest number to take (above every number seen in use); read with the first take. */
  #floor: number | undefined;
  /** Numbers handed out for an add that found its entry there (addEntry), lowest first: the next allocations take them. */
  readonly #unused: number[] = [];

  constructor(pool: ClientPool, bases: readonly string[], range: { readonly min: number; readonly max: number }, counter?: UidCounterConfig) {
    this.#pool = pool;
    this.#bases = bases;
    this.#min = range.min;
    this.#max = range.max;
    this.#counter = counter === undefined ? undefined : new UidCounter(pool, counter, range);
  }

  /** Run `use` with a fresh uidNumber (reserved for it alone, whether `use` succeeds or not). */
  async allocate<T>(use: (uidNumber: number) => Promise<T>): Promise<T> {
    return use(await this.#fresh());
  }

  /**
   * Add an entry with a fresh uidNumber (`add` writes it), then settle the
   * number; an entry `add` found instead (adopted) is returned as it is.
   * Its add was refused, so the number it was sent with is held by nothing
   * (unless an earlier send of the same add was applied: then the entry
   * holds it): the next allocation of this process takes it, usually the
   * conversion of that very entry to a posixAccount. With a counter the
   * number would otherwise be a gap on every such adoption.
   */
  async addEntry<E extends AddedEntry>(add: (uidNumber: number) => Promise<{ readonly added: E } | { readonly existing: E }>): Promise<{ readonly added: E } | { readonly existing: E }> {
    let used = 0;
    const outcome = await this.allocate((uidNumber) => {
      used = uidNumber;
      return add(uidNumber);
    });
    if (!('added' in outcome)) {
      if (!(outcome.existing.values.get('uidnumber') ?? []).includes(String(used))) {
        this.#unused.push(used);
        this.#unused.sort((a, b) => a - b);
      }
      return outcome;
    }
    let held: number;
    try {
      held = await this.settle(outcome.added, used);
    } catch (error) {
      // No other number left to move to: the entry just added would keep one another holds. It goes again (the create fails naming the full range).
      if (!isRangeFull(error)) throw error;
      await this.#pool.use((c) => c.del(outcome.added.dn)).catch(() => undefined);
      throw error;
    }
    return held === used ? outcome : { added: { ...outcome.added, values: new Map([...outcome.added.values, ['uidnumber', [String(held)]]]) } };
  }

  /**
   * A create that finds its account's entry already there (adopted: the
   * retry of a create whose add was applied and whose answer was lost, or
   * that stopped before its settle) settles the entry's uidNumber as the add
   * would have: the other process's settle may have run before this add and
   * seen its number held once, so only this one can still see the two.
   * Only a number of the range (one Roster may have handed out), and only
   * when no other holder is newer (createTimestamp): a number an operator
   * copied later onto another entry is that entry's to change, and an
   * account that held it first keeps it.
   */
  async settleAdopted(entry: { readonly dn: string; readonly uuid: string }): Promise<void> {
    const read = this.#pool.use((c) => c.search(entry.dn, { scope: 'base', filter: '(objectClass=posixAccount)', attributes: ['uidNumber', 'createTimestamp'] }));
    // Moved or deleted since it was found: the create's next steps find that out.
    const { searchEntries: [own] } = await read.catch((error: unknown) => (isNoSuchObject(error) ? { searchEntries: [] } : Promise.reject(error)));
    const uidNumber = Number(own?.uidNumber);
    if (own === undefined || !this.#inRange(uidNumber)) return;
    const holders = await this.#holderEntries(uidNumber, ['createTimestamp']);
    if (holders.length <= 1) return;
    const created = String(own.createTimestamp ?? '');
    if (holders.some((holder) => !sameDn(holder.dn, entry.dn) && String(holder.createTimestamp ?? '') > created)) return;
    await this.settle(entry, uidNumber);
  }

  /**
   * An entry found a posixAccount where Roster would convert it (an update,
   * an enable, a create adopting it) may be one a conversion (posix-convert.ts)
   * made a posixAccount whose settle never ran (the settle search failed, the
   * process stopped): settled as settleAdopted settles an add's, only for a
   * number of the range and only when no other holder is newer. "Newer" is
   * read differently: a converted entry's createTimestamp is older than its
   * number (the number came with a modify), so it would make every other
   * holder look newer and the duplicate stay. The number came no later than
   * the entry's last change (`modifyTimestamp`, read before this write), and
   * a conversion loses a race only to an add made between its check and its
   * modify, one search apart. So the entry moves only when every other holder
   * was created in the minute up to that change (CONVERSION_RACE_MS); one
   * created after it was given the number later (an operator's copy: theirs
   * to change), and one created well before it held the number when the
   * entry got it, or long before a later change to the entry (an old
   * duplicate Roster did not make: moving this account would hand its files
   * to the other). No number left to move to: the error, the entry untouched
   * (what the conversion added is no longer known; PosixConversion undoes
   * its own while it knows).
   */
  async settleConverted(entry: { readonly dn: string; readonly uuid: string }, uidNumber: number, modifyTimestamp: string | undefined): Promise<void> {
    const changed = generalizedTime(modifyTimestamp);
    if (changed === undefined || !this.#inRange(uidNumber)) return;
    const others = (await this.#holderEntries(uidNumber, ['createTimestamp'])).filter((holder) => !sameDn(holder.dn, entry.dn));
    if (others.length === 0) return;
    const raced = (created: number | undefined): boolean => created !== undefined && created <= changed && created >= changed - CONVERSION_RACE_MS;
    if (!others.every((holder) => raced(generalizedTime(holder.createTimestamp)))) return;
    await this.settle(entry, uidNumber);
  }

  /**
   * After the add of `entry` with `uidNumber`: another process's add may
   * have taken the same number between the check and the add (two processes
   * reading the same highest number move in step). Each add is followed by
   * this search, and whichever sees the number held twice moves its entry to
   * a new one (both may: a gap, never a duplicate), checked the same way.
   * A collision also skips a few numbers at random, so two processes stop
   * moving in step. Returns the number the entry holds in the end.
   */
  async settle(entry: { readonly dn: string; readonly uuid: string }, uidNumber: number): Promise<number> {
    let held = uidNumber;
    for (let round = 0; ; round++) {
      if (await this.#holders(held) <= 1) return held;
      if (round >= 20) throw new RosterError('target.unavailable', `uidNumber ${held} is held twice and no other could be settled on`, { retryable: true });
      await this.#mutex.run(async () => {
        this.#taken(held);
        this.#skip = Math.floor(Math.random() * BLOCK);
      });
      const next = await this.#fresh();
      await this.#pool.use((c) => c.modify(entry.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'uidNumber', values: [String(next)] }) })));
      held = next;
    }
  }

  /** A number of the configured range: one Roster may have handed out. */
  #inRange(uidNumber: number): boolean {
    return Number.isInteger(uidNumber) && uidNumber >= this.#min && uidNumber <= this.#max;
  }

  /** A number reserved and checked free. */
  async #fresh(): Promise<number> {
    // One an adopting add did not use first (checked free again: a number held meanwhile, by hand, is dropped).
    for (let unused = this.#unused.shift(); unused !== undefined; unused = this.#unused.shift()) {
      if (await this.#free(unused)) return unused;
    }
    if (this.#counter !== undefined) return this.#fromCounter(this.#counter);
    for (;;) {
      const uidNumber = await this.#mutex.run(() => this.#reserve());
      if (await this.#free(uidNumber)) return uidNumber;
      await this.#mutex.run(async () => this.#taken(uidNumber));
    }
  }

  /**
   * A number taken from the counter (under the lock: no two takes of this process race) and checked free outside it.
   * A counter found set back (UidCounter.take) has the floor read again above the highest number in use.
   */
  async #fromCounter(counter: UidCounter): Promise<number> {
    for (;;) {
      const uidNumber = await this.#mutex.run(async () => {
        this.#floor ??= await this.#highestIn(this.#min, this.#max) + 1;
        return counter.take(this.#floor, async () => (this.#floor = Math.max(this.#floor ?? 0, await this.#highestIn(this.#min, this.#max) + 1)));
      });
      if (await this.#free(uidNumber)) return uidNumber;
      // Held (numbered by hand, or the counter is behind the directory): the counter goes on above the highest in use.
      const highest = await this.#highestIn(uidNumber, this.#max);
      await this.#mutex.run(async () => {
        this.#floor = Math.max(this.#floor ?? 0, highest + 1);
      });
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
    let start = this.#blockEnd === undefined ? Math.max(this.#next, await this.#highestIn(this.#min, this.#max) + 1 + this.#skip) : this.#blockEnd + 1;
    this.#skip = 0;
    for (;;) {
      if (start > this.#max) throw rangeFull(this.#min, this.#max);
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

  /** Does no entry under the bases hold the number (yet)? */
  async #free(uidNumber: number): Promise<boolean> {
    return await this.#holders(uidNumber) === 0;
  }

  /**
   * Where a uidNumber counts as in use: the whole naming context holding
   * the users base (from the root DSE), not only Roster's bases. A service
   * account under ou=services holds its number as much as a person does,
   * and NSS resolves numbers across the directory. A server whose root DSE
   * names no context above the bases (or cannot be read) has the bases
   * searched.
   */
  #searchBases(): Promise<readonly string[]> {
    this.#searched ??= this.#pool.use((c) => c.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['namingContexts'] })).then(({ searchEntries }) => {
      const raw = searchEntries[0]?.namingContexts ?? [];
      const contexts = (Array.isArray(raw) ? raw : [raw]).map(String).filter((context) => context !== '');
      const above = this.#bases.map((base) => contexts.find((context) => isUnder(base, context)) ?? base);
      return above.filter((base, i) => !above.some((other, j) => j !== i && isUnder(base, other) && (!sameDn(base, other) || j < i)));
    }, () => {
      // Not answered (or refused): this allocation searches the bases as before, and the next one asks again.
      this.#searched = undefined;
      return this.#bases;
    });
    return this.#searched;
  }

  /** How many entries hold the number: one equality search per searched base, in parallel. */
  async #holders(uidNumber: number): Promise<number> {
    return (await this.#holderEntries(uidNumber, ['1.1'])).length;
  }

  async #holderEntries(uidNumber: number, attributes: string[]): Promise<Entry[]> {
    const found = await Promise.all((await this.#searchBases()).map((base) => this.#pool.use((c) => c.search(base, {
      scope: 'sub', filter: `(uidNumber=${uidNumber})`, attributes,
    }))));
    return found.flatMap(({ searchEntries }) => searchEntries).filter((entry) => !this.#isCounter(entry.dn));
  }

  /** The counter entry holds the next number, often in uidNumber: it holds none of the numbers handed out. */
  #isCounter(dn: string): boolean {
    return this.#counter !== undefined && sameDn(dn, this.#counter.dn);
  }

  /** The highest uidNumber in [from, to] held by an entry under the bases; from - 1 when none is. */
  async #highestIn(from: number, to: number): Promise<number> {
    const filter = `(&(uidNumber>=${from})(uidNumber<=${to}))`;
    let highest = from - 1;
    for (const base of await this.#searchBases()) {
      const client = await this.#pool.lease();
      for await (const page of pagedSearch(client, base, { scope: 'sub', filter, attributes: ['uidNumber'], pageSize: 1000 })) {
        for (const entry of page.searchEntries) {
          const value = Number(entry.uidNumber);
          if (Number.isInteger(value) && value > highest && !this.#isCounter(entry.dn)) highest = value;
        }
      }
    }
    return highest;
  }
}
