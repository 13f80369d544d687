import type { ExecutorConfig, TargetConfig } from '../config/types.js';
import type { Connector } from '../connectors/types.js';
import type { Change, Plan } from '../core/types.js';
import { RosterError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { createConnector } from '../connectors/registry.js';
import type { Store } from '../store/types.js';
import { Executor } from './executor.js';

/** Fixtures of the executor's tests: one memory target and plans of creates and grants on it. */
export const TARGET = 'app';

export function targetConfig(executor: Partial<ExecutorConfig> = {}, connection: Readonly<Record<string, unknown>> = { latencyMs: 2 }): TargetConfig {
  return {
    id: TARGET, type: 'memory', connection, scope: 'true', attributes: {}, accountKey: 'username',
    leaver: { disable: 'immediately', deleteAfterMs: null }, onLeave: 'disable',
    safety: { maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, minAccounts: 10 },
    executor: { concurrency: 4, maxAttempts: 5, backoffBaseMs: 1, backoffMaxMs: 5, quarantineAfter: 50, ...executor },
  };
}

export const create = (identity: string): Change => ({
  id: `${TARGET}:${identity}:create`, identity, target: TARGET, action: 'create', before: null,
  after: { enabled: true, attributes: { username: identity, email: `${identity}@example.com` } }, reasons: ['joiner'],
});

export const grant = (identity: string, entitlement: string): Change => ({
  id: `${TARGET}:${identity}:grant:${entitlement}`, identity, target: TARGET, action: 'grant', before: null,
  after: { entitlement }, reasons: ['role.added'],
});

export const plan = (id: string, changes: Change[]): Plan => ({
  id, createdAt: new Date().toISOString(), basis: 0, changes, summary: {}, held: false, holds: [], diagnostics: [],
});

/**
 * The connector's first create waits until `release()`, then fails with
 * `error`; later creates go through. `calls`: the usernames asked, in order.
 */
export function firstCreateFailsWhenReleased(connector: Connector, error: Error): { readonly release: () => void; readonly calls: string[] } {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const calls: string[] = [];
  const real = connector.create.bind(connector);
  connector.create = async (spec) => {
    calls.push(String(spec.attributes.username));
    if (calls.length === 1) {
      await gate;
      throw error;
    }
    return real(spec);
  };
  return { release: () => release(), calls };
}

/** What a server answering 401 to everything says: a target-wide error. */
export const unauthorized = (what: string): RosterError => new RosterError('target.unavailable', `create on app: 401 Unauthorized for ${what}`, { targetWide: true });

/**
 * A process of its own on `store` (clock `now`, default real time): the memory target's creates of usernames in
 * `refusing()` (all when it holds '*') meet a target-wide 401; one change at a time, 3 attempts, 1-5 ms backoff.
 */
export function refusingProcess(store: Store, workerId: string, refusing: () => ReadonlySet<string>, now?: () => Date): Executor {
  const connector = createConnector({ id: TARGET, type: 'memory', connection: { latencyMs: 0 }, accountKey: 'username' }, { targetId: TARGET, baseDir: '.', log: silentLogger });
  const real = connector.create.bind(connector);
  connector.create = async (spec) => {
    const name = String(spec.attributes.username);
    if (refusing().has(name) || refusing().has('*')) throw unauthorized(name);
    return real(spec);
  };
  return new Executor({
    store, connectors: new Map([[TARGET, connector]]), workerId, log: silentLogger, pollMs: 5, ...(now === undefined ? {} : { now }),
    targets: [targetConfig({ concurrency: 1, maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 5, quarantineAfter: 20 }, { latencyMs: 0 })],
  });
}
