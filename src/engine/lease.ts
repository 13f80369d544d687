import type { Logger } from '../connectors/types.js';
import type { StateStore } from '../store/types.js';

/** What a lease key holds: who has it, and until when (epoch ms, the holder's clock). */
export interface LeaseValue {
  readonly holder: string;
  readonly until: number;
}

/** A holder that stops renewing (a crashed or frozen process) loses the lease this long after its last renewal. */
export const LEASE_TTL_MS = 120_000;

/**
 * A named lease in the store's state, shared by every process on the store
 * (StateStore.update is one atomic read-modify-write across processes:
 * SQLite's write transaction, PostgreSQL's advisory lock): the scheduled runs
 * of `roster serve` take one so two processes never run the same job at once.
 * It is renewed while held; a holder that dies stops renewing and the lease
 * runs out after `ttlMs`, so it never blocks the others for good. A lease is
 * judged on the clock of the process taking it: clocks of the processes that
 * share a store must agree to well within `ttlMs`.
 */
export class StoreLease {
  readonly #state: Pick<StateStore, 'update'>;
  readonly #key: string;
  readonly #holder: string;
  readonly #now: () => Date;
  readonly #ttlMs: number;

  constructor(options: { state: Pick<StateStore, 'update'>; key: string; holder: string; now: () => Date; ttlMs?: number }) {
    this.#state = options.state;
    this.#key = options.key;
    this.#holder = options.holder;
    this.#now = options.now;
    this.#ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  }

  /** Take (or extend) the lease unless another holder has a live one; whether this holder has it now. */
  async acquire(): Promise<boolean> {
    const now = this.#now().getTime();
    const next = await this.#state.update<LeaseValue>(this.#key, (current) => {
      if (current !== undefined && isLease(current) && current.holder !== this.#holder && current.until > now) return current;
      return { holder: this.#holder, until: now + this.#ttlMs };
    });
    return next?.holder === this.#holder;
  }

  /** Give the lease back if this holder still has it. */
  async release(): Promise<void> {
    await this.#state.update<LeaseValue>(this.#key, (current) => (current !== undefined && isLease(current) && current.holder !== this.#holder ? current : undefined));
  }

  /**
   * Run `section` under the lease, renewing it every third of its time;
   * undefined without running it when another holder has the lease. It is
   * given back when the section ends, whether it threw or not.
   */
  async run<T>(section: () => Promise<T>, log: Logger): Promise<{ value: T } | undefined> {
    if (!await this.acquire()) return undefined;
    const renewal = setInterval(() => {
      void this.acquire().then((held) => {
        if (!held) log.error('scheduler lease lost while running (another process took it over)', { lease: this.#key });
      }, (error: unknown) => log.warn('scheduler lease renewal failed', { lease: this.#key, error: error instanceof Error ? error.message : String(error) }));
    }, Math.max(1_000, Math.floor(this.#ttlMs / 3)));
    renewal.unref();
    try {
      return { value: await section() };
    } finally {
      clearInterval(renewal);
      await this.release().catch((error: unknown) => log.warn('scheduler lease release failed', { lease: this.#key, error: error instanceof Error ? error.message : String(error) }));
    }
  }
}

/** A lease value as written by StoreLease (anything else in the key, hand-edited or older, is not a live lease). */
function isLease(value: unknown): value is LeaseValue {
  const v = value as Partial<LeaseValue> | null;
  return typeof v === 'object' && v !== null && typeof v.holder === 'string' && typeof v.until === 'number' && Number.isFinite(v.until);
}
