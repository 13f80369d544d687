/**
 * One of several `roster serve`-like worker processes that
 * posix-uid-workers.review20.test.ts runs at once (and kills): an executor
 * with 8 creates in flight per target applies plans of posix joiners into
 * one slapd, through a PostgreSQL store all the workers share. Usage:
 *   node --import tsx test/e2e/posix-uid-worker.review20.ts <store url> <slapd url> <suffix> <target,…> <people> <start at (epoch ms)>
 * Each target is the same directory and uidNumber range under another id,
 * so that each worker has its own jobs (one executor claims a whole small
 * plan of one target at once, and the others would find nothing to do).
 * Enqueues a plan of `people` joiners per target (none when 0), then from
 * `start at` on (workers started one after another begin together) works
 * the queue until idle and prints `{"applied":N,"failed":N}`.
 */
import type { TargetConfig } from '../../src/config/types.js';
import type { Change, Plan } from '../../src/core/types.js';
import { createLogger } from '../../src/core/log.js';
import { createConnector } from '../../src/connectors/registry.js';
import { Executor } from '../../src/executor/index.js';
import { openStore } from '../../src/store/index.js';

export const POSIX_RANGE = { min: 30000, max: 39999 } as const;

/** A create for each of `people` joiners (uid <target>-00000, …) on target `target`; the plan's id is the target's. */
export function posixPlan(target: string, people: number): Plan {
  const changes: Change[] = Array.from({ length: people }, (_, i) => {
    const identity = `${target}-${String(i).padStart(5, '0')}`;
    return {
      id: `${target}:${identity}:create`, identity, target, action: 'create', before: null,
      after: { enabled: true, attributes: { uid: identity, cn: identity, sn: identity } }, reasons: ['joiner'],
    };
  });
  return { id: target, createdAt: '2026-01-01T00:00:00.000Z', basis: 0, changes, summary: { create: people }, held: false, holds: [], diagnostics: [] };
}

/** Every target is the same directory, users base and uidNumber range. */
export const posixTarget = (id: string, url: string, suffix: string): TargetConfig => ({
  id, type: 'ldap', scope: 'true', attributes: {}, accountKey: 'uid',
  connection: {
    url, bindDN: `cn=admin,${suffix}`, password: 'secret', poolSize: 4,
    users: {
      base: `ou=people,${suffix}`, dn: `uid={uid},ou=people,${suffix}`, key: 'uid', createOUs: true,
      posix: { uidNumber: POSIX_RANGE, gidNumber: 100 },
    },
  },
  leaver: { disable: 'immediately', deleteAfterMs: null }, onLeave: 'disable',
  safety: { maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, minAccounts: 10 },
  executor: { concurrency: 8, maxAttempts: 50, backoffBaseMs: 10, backoffMaxMs: 200, quarantineAfter: 1_000 },
});

async function main(storeUrl: string, url: string, suffix: string, ids: readonly string[], people: number, startAt: number): Promise<void> {
  const log = createLogger('error');
  const targets = ids.map((id) => posixTarget(id, url, suffix));
  const store = await openStore(storeUrl);
  const connectors = new Map(targets.map((target) => [target.id, createConnector(target, { targetId: target.id, baseDir: process.cwd(), log })]));
  const executor = new Executor({ store, connectors, targets, workerId: `posix-${process.pid}`, log, leaseMs: 1_000, pollMs: 20 });
  if (people > 0) for (const id of ids) await executor.enqueuePlan(posixPlan(id, people));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  const result = await executor.runUntilIdle();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  for (const connector of connectors.values()) await connector.close();
  await store.close();
}

if (process.argv[1]?.endsWith('posix-uid-worker.review20.ts')) {
  const [storeUrl, url, suffix, ids, people, startAt] = process.argv.slice(2);
  if (storeUrl === undefined || url === undefined || suffix === undefined || ids === undefined || people === undefined || startAt === undefined) {
    throw new Error('usage: posix-uid-worker.review20.ts <store url> <slapd url> <suffix> <target,…> <people> <start at (epoch ms)>');
  }
  await main(storeUrl, url, suffix, ids.split(','), Number(people), Number(startAt));
}
