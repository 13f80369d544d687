/**
 * The process the crash test kills: applies a large plan to a sql target on
 * SQLite through a SQLite file store. Usage:
 *   node --import tsx test/e2e/crash-worker.ts <store.db> <target.db> enqueue|resume
 * `enqueue` saves the plan's jobs first; `resume` only works the queue.
 */
import type { TargetConfig } from '../../src/config/types.js';
import type { Change, Plan } from '../../src/core/types.js';
import { createLogger } from '../../src/core/log.js';
import { createConnector } from '../../src/connectors/registry.js';
import { Executor } from '../../src/executor/index.js';
import { openStore } from '../../src/store/index.js';

export const CRASH_PLAN_ID = 'crash-plan';
export const CRASH_PEOPLE = 1000;
export const CRASH_TARGET = 'app';

export const crashConnection = (targetFile: string) => ({
  url: `sqlite:${targetFile}`,
  createTables: true,
  users: { table: 'users', key: 'username', columns: { username: 'username', email: 'email' }, enabled: { column: 'active' } },
  memberships: { table: 'user_groups', user: 'username', group: 'group_name' },
});

/** The plan: for each person a create followed by two grants (3,000 changes). */
export function crashPlan(): Plan {
  const changes: Change[] = [];
  for (let i = 0; i < CRASH_PEOPLE; i++) {
    const identity = `e${String(i).padStart(5, '0')}`;
    changes.push({
      id: `${CRASH_TARGET}:${identity}:create`, identity, target: CRASH_TARGET, action: 'create', before: null,
      after: { enabled: true, attributes: { username: `user.${identity}`, email: `${identity}@example.com` } }, reasons: ['joiner'],
    });
    for (const group of ['staff', `team-${i % 7}`]) {
      changes.push({
        id: `${CRASH_TARGET}:${identity}:grant:${group}`, identity, target: CRASH_TARGET, action: 'grant', before: null,
        after: { entitlement: group }, reasons: ['role.birthright'],
      });
    }
  }
  return { id: CRASH_PLAN_ID, createdAt: '2026-01-01T00:00:00.000Z', basis: 0, changes, summary: { create: CRASH_PEOPLE, grant: 2 * CRASH_PEOPLE }, held: false, holds: [], diagnostics: [] };
}

async function main(storeFile: string, targetFile: string, mode: string): Promise<void> {
  const log = createLogger('error');
  const target: TargetConfig = {
    id: CRASH_TARGET, type: 'sql', connection: crashConnection(targetFile), scope: 'true', attributes: {}, accountKey: 'username',
    leaver: { disable: 'immediately', deleteAfterMs: null }, onLeave: 'disable',
    safety: { maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, minAccounts: 10 },
    executor: { concurrency: 16, maxAttempts: 50, backoffBaseMs: 10, backoffMaxMs: 200, quarantineAfter: 1_000 },
  };
  const store = await openStore(`sqlite:${storeFile}`);
  const connector = createConnector(target, { targetId: CRASH_TARGET, baseDir: process.cwd(), log });
  const executor = new Executor({ store, connectors: new Map([[CRASH_TARGET, connector]]), targets: [target], workerId: `crash-${process.pid}`, log, leaseMs: 1_000, pollMs: 20 });
  if (mode === 'enqueue') await executor.enqueuePlan(crashPlan());
  const result = await executor.runUntilIdle({
    planId: CRASH_PLAN_ID,
    onProgress: (done) => process.stdout.write(`progress ${done}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await connector.close();
  await store.close();
}

if (process.argv[1]?.endsWith('crash-worker.ts')) {
  const [storeFile, targetFile, mode] = process.argv.slice(2);
  if (storeFile === undefined || targetFile === undefined || mode === undefined) throw new Error('usage: crash-worker.ts <store.db> <target.db> enqueue|resume');
  await main(storeFile, targetFile, mode);
}
