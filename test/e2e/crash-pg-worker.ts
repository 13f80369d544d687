/**
 * One of several worker processes the PostgreSQL crash test runs at once
 * (and kills): applies the crash plan (crash-worker.ts) to a sql target on
 * PostgreSQL through a PostgreSQL store. Usage:
 *   node --import tsx test/e2e/crash-pg-worker.ts <store url> <target url> enqueue|resume
 */
import type { TargetConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/core/log.js';
import { createConnector } from '../../src/connectors/registry.js';
import { Executor } from '../../src/executor/index.js';
import { openStore } from '../../src/store/index.js';
import { CRASH_PLAN_ID, CRASH_TARGET, crashConnection, crashPlan } from './crash-worker.js';

export const pgCrashConnection = (targetUrl: string) => ({ ...crashConnection(''), url: targetUrl });

async function main(storeUrl: string, targetUrl: string, mode: string): Promise<void> {
  const log = createLogger('error');
  const target: TargetConfig = {
    id: CRASH_TARGET, type: 'sql', connection: pgCrashConnection(targetUrl), scope: 'true', attributes: {}, accountKey: 'username',
    leaver: { disable: 'immediately', deleteAfterMs: null }, onLeave: 'disable',
    safety: { maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, minAccounts: 10 },
    executor: { concurrency: 8, maxAttempts: 50, backoffBaseMs: 10, backoffMaxMs: 200, quarantineAfter: 1_000 },
  };
  const store = await openStore(storeUrl);
  const connector = createConnector(target, { targetId: CRASH_TARGET, baseDir: process.cwd(), log });
  const executor = new Executor({ store, connectors: new Map([[CRASH_TARGET, connector]]), targets: [target], workerId: `crash-pg-${process.pid}`, log, leaseMs: 1_000, pollMs: 20 });
  if (mode === 'enqueue') await executor.enqueuePlan(crashPlan());
  const result = await executor.runUntilIdle({ planId: CRASH_PLAN_ID, onProgress: (done) => process.stdout.write(`progress ${done}\n`) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await connector.close();
  await store.close();
}

if (process.argv[1]?.endsWith('crash-pg-worker.ts')) {
  const [storeUrl, targetUrl, mode] = process.argv.slice(2);
  if (storeUrl === undefined || targetUrl === undefined || mode === undefined) throw new Error('usage: crash-pg-worker.ts <store url> <target url> enqueue|resume');
  await main(storeUrl, targetUrl, mode);
}
