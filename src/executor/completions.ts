import type { Logger } from '../connectors/types.js';
import type { JobEffects, QueueStore } from '../store/types.js';
import { redactMessage } from './backoff.js';

/** Most completions committed in one transaction. */
export const MAX_COMPLETION_BATCH = 500;
/**
 * A completion waits at most this long for others to join its batch. Each
 * transaction has a fixed cost (commit, chain head, serial) worth ~30
 * completions, so under a steady stream of jobs bigger batches pay; a lone
 * job never waits (nothing else is running).
 */
export const MAX_COMPLETION_DELAY_MS = 100;

interface Pending {
  readonly jobId: string;
  readonly effects: JobEffects;
  readonly resolve: (completed: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit of finished jobs: completions that arrive while a batch is
 * being written wait and go together in the next one, each job with its link
 * and audit entry (QueueStore.completeMany), so a crash keeps a job's
 * completion and its effects together. When a batch cannot be written, its
 * jobs are completed one by one, so one bad job fails alone.
 */
export class CompletionBatcher {
  readonly #queue: QueueStore;
  readonly #workerId: string;
  readonly #log: Logger;
  readonly #worthWaiting: (buffered: number) => boolean;
  #buffer: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** `worthWaiting`: whether a batch of `buffered` completions should wait for jobs still running to join it. */
  constructor(queue: QueueStore, workerId: string, log: Logger, worthWaiting: (buffered: number) => boolean) {
    this.#queue = queue;
    this.#workerId = workerId;
    this.#log = log;
    this.#worthWaiting = worthWaiting;
  }

  /** Resolves once the completion is committed: true, or false when the lease was lost. */
  complete(jobId: string, effects: JobEffects): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#buffer.push({ jobId, effects, resolve, reject });
      this.#timer ??= setTimeout(() => this.#flush(), MAX_COMPLETION_DELAY_MS);
      this.poke();
    });
  }

  /**
   * Write now unless the batch is worth waiting for: small, and jobs still
   * running that will join it. The executor pokes whenever a job ends.
   */
  poke(): void {
    if (this.#buffer.length === 0 || this.#flushing !== undefined) return;
    if (this.#buffer.length < MAX_COMPLETION_BATCH && this.#worthWaiting(this.#buffer.length)) return;
    this.#flush();
  }

  /** Resolves when nothing is left to write. */
  async idle(): Promise<void> {
    while (this.#flushing !== undefined || this.#buffer.length > 0) {
      if (this.#flushing === undefined) this.#flush();
      await this.#flushing;
    }
  }

  #flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing ??= this.#writeAll();
  }

  async #writeAll(): Promise<void> {
    // Let the jobs finishing in this turn of the event loop join the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#buffer.length > 0) {
        const batch = this.#buffer.slice(0, MAX_COMPLETION_BATCH);
        this.#buffer = this.#buffer.slice(batch.length);
        await this.#write(batch);
      }
    } finally {
      this.#flushing = undefined;
    }
    this.poke();
  }

  async #write(batch: readonly Pending[]): Promise<void> {
    try {
      const completed = await this.#queue.completeMany(this.#workerId, batch.map(({ jobId, effects }) => ({ jobId, effects })));
      batch.forEach((item, i) => item.resolve(completed[i] === true));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      this.#log.warn('could not complete a batch of changes; completing them one by one', { jobs: batch.length, error: redactMessage(String(error)) });
    }
    for (const item of batch) {
      await this.#queue.complete(item.jobId, this.#workerId, item.effects).then(item.resolve, item.reject);
    }
  }
}
