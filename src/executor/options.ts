import type { TargetConfig } from '../config/types.js';
import type { Connector, Logger } from '../connectors/types.js';
import type { RosterError } from '../core/errors.js';
import type { SecretBox } from '../core/secrets.js';
import type { Job } from '../core/types.js';
import type { Store } from '../store/types.js';

/** The executor's construction and run options (executor.ts). */

export type JobOutcome = 'applied' | 'failed' | 'retry';

export interface ExecutorOptions {
  readonly store: Store;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly targets: readonly TargetConfig[];
  readonly workerId: string;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly random?: () => number;
  /**
   * Metrics hook, called once per attempt; `notAttempted` for a job failed
   * with the create it needed, never run (dependents.ts).
   */
  readonly onResult?: (job: Job, outcome: JobOutcome, error?: RosterError, detail?: { readonly notAttempted?: true }) => void;
  /** Idle poll interval of the background loop (start()), default 200. */
  readonly pollMs?: number;
  /** How long a claimed job is leased before another worker may take it over (default 60 s). */
  readonly leaseMs?: number;
  /** The store's secrets key, for changes that write secret attributes (core/secrets.ts); read when first needed. */
  readonly secrets?: () => Promise<SecretBox>;
}

export interface RunOptions {
  readonly planId?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}
