/**
 * The process the "not attempted" crash test kills (crash-not-attempted.review21.test.ts):
 * two plans of joiners on a sql target (SQLite file) through a store given by
 * url; the target refuses the create of every odd joiner for good. `kill`
 * says when this process SIGKILLs itself: `after` a create's failure and its
 * dependents are committed, `during` that transaction (before its commit),
 * `never`. Usage:
 *   node --import tsx test/e2e/crash-not-attempted-worker.ts <store url> <target.db> enqueue|resume after|during|never
 */
import type { TargetConfig } from '../../src/config/types.js';
import { RosterError } from '../../src/core/errors.js';
import type { Change, Plan } from '../../src/core/types.js';
import { createLogger } from '../../src/core/log.js';
import { createConnector } from '../../src/connectors/registry.js';
import { Executor } from '../../src/executor/index.js';
import { openStore } from '../../src/store/index.js';
import type { FailDependents } from '../../src/store/types.js';
import { crashConnection } from './crash-worker.js';

export const NA_TARGET = 'app';
export const NA_PEOPLE = 24;
export const naIdentity = (i: number): string => `n${String(i).padStart(3, '0')}`;
/** Odd joiners: the bind account may not add them. */
export const naRefused = (identity: string): boolean => Number(identity.slice(1)) % 2 === 1;

const change = (identity: string, action: 'create' | 'grant', group?: string): Change => (action === 'create'
  ? { id: `${NA_TARGET}:${identity}:create`, identity, target: NA_TARGET, action, before: null, after: { enabled: true, attributes: { username: `u.${identity}`, email: `${identity}@example.com` } }, reasons: ['joiner'] }
  : { id: `${NA_TARGET}:${identity}:grant:${group!}`, identity, target: NA_TARGET, action, before: null, after: { entitlement: group! }, reasons: ['role.birthright'] });

const planOf = (id: string, changes: Change[]): Plan => ({ id, createdAt: '2026-01-01T00:00:00.000Z', basis: 0, changes, summary: {}, held: false, holds: [], diagnostics: [] });

/** p1: each joiner's create and two grants, as the planner orders them; p2, made while p1 waited: a third grant each. */
export function naPlans(): Plan[] {
  const people = Array.from({ length: NA_PEOPLE }, (_, i) => naIdentity(i));
  return [
    planOf('na-p1', [...people.map((p) => change(p, 'create')), ...people.flatMap((p) => ['staff', 'vpn'].map((g) => change(p, 'grant', g)))]),
    planOf('na-p2', people.map((p) => change(p, 'grant', 'wiki'))),
  ];
}

async function main(storeUrl: string, targetFile: string, mode: string, kill: string): Promise<void> {
  const log = createLogger('error');
  const target: TargetConfig = {
    id: NA_TARGET, type: 'sql', connection: crashConnection(targetFile), scope: 'true', attributes: {}, accountKey: 'username',
    leaver: { disable: 'immediately', deleteAfterMs: null }, onLeave: 'disable',
    safety: { maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, minAccounts: 10 },
    executor: { concurrency: 4, maxAttempts: 5, backoffBaseMs: 10, backoffMaxMs: 50, quarantineAfter: 1_000 },
  };
  const store = await openStore(storeUrl);
  const connector = createConnector(target, { targetId: NA_TARGET, baseDir: process.cwd(), log });
  const create = connector.create.bind(connector);
  connector.create = async (spec) => {
    const name = String(spec.attributes.username);
    if (naRefused(name.slice(2))) throw new RosterError('target.rejected', `insufficient access to add ${name} (LDAP 50)`);
    return create(spec);
  };
  const fail = store.queue.fail.bind(store.queue);
  const die = (): never => {
    process.kill(process.pid, 'SIGKILL');
    // SIGKILL to oneself is delivered at once; never carry on meanwhile.
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  };
  store.queue.fail = async (jobId, error, retryAt, audit, workerId, dependents) => {
    const inside: FailDependents | undefined = dependents === undefined || kill !== 'during' ? dependents : () => die();
    const recorded = await fail(jobId, error, retryAt, audit, workerId, inside);
    if (dependents !== undefined && kill === 'after') die();
    return recorded;
  };
  const executor = new Executor({ store, connectors: new Map([[NA_TARGET, connector]]), targets: [target], workerId: `na-${process.pid}`, log, leaseMs: 1_000, pollMs: 20 });
  if (mode === 'enqueue') for (const plan of naPlans()) await executor.enqueuePlan(plan);
  const result = await executor.runUntilIdle();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await connector.close();
  await store.close();
}

if (process.argv[1]?.endsWith('crash-not-attempted-worker.ts')) {
  const [storeUrl, targetFile, mode, kill] = process.argv.slice(2);
  if (storeUrl === undefined || targetFile === undefined || mode === undefined || kill === undefined) {
    throw new Error('usage: crash-not-attempted-worker.ts <store url> <target.db> enqueue|resume after|during|never');
  }
  await main(storeUrl, targetFile, mode, kill);
}
