import { RosterError } from '../../core/errors.js';
import type { TargetAccount } from '../../core/types.js';

import type { memoryOperations } from './config.js';

export type MemoryOperation = (typeof memoryOperations)[number];

export interface StoredAccount {
  attributes: Record<string, unknown>;
  enabled: boolean;
  entitlements: Set<string>;
}

interface Fault {
  remaining: number;
  readonly error: () => RosterError;
  readonly operations: readonly string[] | undefined;
}

export interface FaultOptions {
  /** Only these operations fail (default: every operation). */
  readonly operations?: readonly MemoryOperation[];
}

/**
 * The state of one in-memory target, shared by every connector made for the
 * same target id in this process, with hooks for tests: fault injection, call
 * counts and the highest number of operations seen in flight at once.
 */
export class MemoryTarget {
  readonly id: string;
  readonly key: string;
  latencyMs: number;
  readonly accounts = new Map<string, StoredAccount>();
  readonly #calls = new Map<string, number>();
  #faults: Fault[] = [];
  #inFlight = 0;
  #maxInFlight = 0;

  constructor(id: string, key: string, latencyMs = 0) {
    this.id = id;
    this.key = key;
    this.latencyMs = latencyMs;
  }

  /** The next `count` operations fail with a retryable 'target.unavailable' (or 'target.rate_limited' with retryAfterMs). */
  failNext(count: number, options: FaultOptions & { readonly retryAfterMs?: number } = {}): void {
    const { retryAfterMs } = options;
    const error = () => retryAfterMs === undefined
      ? new RosterError('target.unavailable', `memory target ${this.id} is unavailable (injected)`, { retryable: true })
      : new RosterError('target.rate_limited', `memory target ${this.id} is rate limited (injected)`, { retryable: true, retryAfterMs });
    this.#faults.push({ remaining: count, error, operations: options.operations });
  }

  /** The next `count` operations fail with a non-retryable 'target.rejected'. */
  rejectNext(count: number, options: FaultOptions & { readonly message?: string } = {}): void {
    const message = options.message ?? `memory target ${this.id} rejected the change (injected)`;
    this.#faults.push({ remaining: count, error: () => new RosterError('target.rejected', message), operations: options.operations });
  }

  /** How many times an operation was called (all operations when omitted), failed calls included. */
  calls(operation?: MemoryOperation): number {
    if (operation !== undefined) return this.#calls.get(operation) ?? 0;
    let total = 0;
    for (const n of this.#calls.values()) total += n;
    return total;
  }

  /** The most operations that were running at the same time. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  /** Forget counts and pending faults (accounts are kept). */
  resetCounters(): void {
    this.#calls.clear();
    this.#faults = [];
    this.#maxInFlight = 0;
  }

  snapshot(accountId: string): TargetAccount | undefined {
    const stored = this.accounts.get(accountId);
    if (stored === undefined) return undefined;
    return {
      accountId,
      attributes: structuredClone(stored.attributes),
      entitlements: [...stored.entitlements].sort(),
      enabled: stored.enabled,
    };
  }

  /** Count the call, wait the configured latency, throw an injected fault if one is due, then run `body`. */
  async run<T>(operation: MemoryOperation, body: () => T): Promise<T> {
    this.#calls.set(operation, (this.#calls.get(operation) ?? 0) + 1);
    this.#inFlight += 1;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    try {
      await new Promise<void>((resolve) => (this.latencyMs > 0 ? setTimeout(resolve, this.latencyMs) : setImmediate(resolve)));
      const fault = this.#faults.find((f) => f.remaining > 0 && (f.operations === undefined || f.operations.includes(operation)));
      if (fault !== undefined) {
        fault.remaining -= 1;
        this.#faults = this.#faults.filter((f) => f.remaining > 0);
        throw fault.error();
      }
      return body();
    } finally {
      this.#inFlight -= 1;
    }
  }
}

/** Every in-memory target of this process, by target id: tests inspect and fault them here. */
export const memoryTargets = new Map<string, MemoryTarget>();
