import type { Job, LinkedAccount } from '../core/types.js';
import type { AccountStore } from '../store/types.js';

/** What a job starts from: the link of its account as read when the job was claimed (undefined: none). */
export interface ClaimedLink {
  readonly link: LinkedAccount | undefined;
}

const keyOf = (target: string, identityId: string): string => `${target}\u0000${identityId}`;

/**
 * The links of claimed jobs, read in one query per claim instead of one per
 * job. Reading at claim time sees what a read at start would: a job's
 * ordering key is its link's (target, identity), and no other job of that
 * key can be claimed (so none can write the link) until this one finishes.
 */
export class ClaimedLinks {
  readonly #accounts: AccountStore;
  readonly #byJob = new Map<string, ClaimedLink>();

  constructor(accounts: AccountStore) {
    this.#accounts = accounts;
  }

  /** Read the links of these jobs' accounts; kept until the job takes it or is forgotten. */
  async fetch(jobs: readonly Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const found = await this.#accounts.getMany(jobs.map((job) => ({ target: job.change.target, identityId: job.change.identity })));
    const links = new Map(found.map((link) => [keyOf(link.target, link.identityId), link]));
    for (const job of jobs) this.#byJob.set(job.id, { link: links.get(keyOf(job.change.target, job.change.identity)) });
  }

  /** The job's link as read at its claim (once), or undefined when it was not read. */
  take(jobId: string): ClaimedLink | undefined {
    const claimed = this.#byJob.get(jobId);
    this.#byJob.delete(jobId);
    return claimed;
  }

  /** Jobs handed back without running. */
  forget(jobs: readonly Job[]): void {
    for (const job of jobs) this.#byJob.delete(job.id);
  }
}
