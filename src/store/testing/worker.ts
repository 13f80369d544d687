/**
 * A queue worker in its own process, for the conformance suite's
 * cross-process tests: `node --import tsx worker.ts <url> <workerId> drain|crash`.
 * drain: claims and completes until the queue is empty, then prints the job
 * ids it completed (JSON). crash: claims one batch, prints the ids, and
 * waits to be killed (kill -9) without completing anything.
 */
import { openStore } from '../index.js';

const [url, workerId, mode] = process.argv.slice(2);
if (url === undefined || workerId === undefined || (mode !== 'drain' && mode !== 'crash')) {
  process.stderr.write('usage: worker.ts <url> <workerId> drain|crash\n');
  process.exit(2);
}

const store = await openStore(url);
const done: string[] = [];
if (mode === 'crash') {
  const jobs = await store.queue.claim({ workerId, limit: 5, leaseMs: 60_000 });
  process.stdout.write(`${JSON.stringify(jobs.map((j) => j.id))}\n`);
  setInterval(() => undefined, 1_000);
} else {
  for (;;) {
    const jobs = await store.queue.claim({ workerId, limit: 3, leaseMs: 60_000, perTarget: { app: 2 } });
    if (jobs.length === 0) {
      if ((await store.queue.stats()).pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
      continue;
    }
    for (const job of jobs) {
      const completed = await store.queue.complete(job.id, workerId, {
        upsertAccount: {
          target: job.target, identityId: job.change.identity, accountId: `${job.target}-${job.change.identity}`,
          attributes: {}, entitlements: [], enabled: true, createdAt: job.createdAt, updatedAt: job.createdAt,
        },
        audit: [{ kind: 'change.applied', actor: `executor:${workerId}`, identity: job.change.identity, target: job.target, data: { jobId: job.id } }],
      });
      if (completed) done.push(job.id);
    }
  }
  process.stdout.write(`${JSON.stringify(done)}\n`);
  await store.close();
}
