import type { Logger } from '../connectors/types.js';
import type { JobEffects, QueueStore } from '../store/types.js';
import { redactMessage } from './backoff.js';

/** Most completions committed in one transaction. */
export const MAX_COMPLETION_BATCH = 500;

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
  #buffer: Pending[] = [];
  #flushing: Promise<void> | undefined;

  constructor(queue: QueueStore, workerId: string, log: Logger) {
    this.#queue = queue;
    this.#workerId = workerId;
    this.#log = log;
  }

  /** Resolves once the completion is committed: true, or false when the lease was lost. */
  complete(jobId: string, effects: JobEffects): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#buffer.push({ jobId, effects, resolve, reject });
      this.#flushing ??= this.#flushSoon();
    });
  }

  /** Resolves when nothing is left to write. */
  async idle(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
  }

  async #flushSoon(): Promise<void> {
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
