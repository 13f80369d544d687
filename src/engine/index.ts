import { loadConfig } from '../config/load.js';
import { formatProblem } from '../config/problems.js';
import type { Connector, Logger } from '../connectors/types.js';
import { createConnector } from '../connectors/registry.js';
import { newWorkerId as workerIdHere } from '../executor/worker-id.js';
import { createLogger } from '../core/log.js';
import { openStore } from '../store/index.js';
import { RosterEngine } from './engine.js';
import { missingFor, unavailableConnector } from './missing-secrets.js';
import type { Engine, EngineMetrics } from './types.js';

export type { Engine } from './types.js';

export interface OpenEngineOptions {
  readonly now?: () => Date;
  readonly log?: Logger;
  readonly metrics?: EngineMetrics;
  readonly env?: NodeJS.ProcessEnv;
}

const noMetrics: EngineMetrics = { changesApplied() {}, changesFailed() {}, cycleDuration() {} };

/** Load the configuration, open the store and the connectors: a ready engine. */
export async function openEngine(configPath: string, options: OpenEngineOptions = {}): Promise<Engine> {
  const log = options.log ?? createLogger();
  // Identity fields no source gives (a typo such as identity.deparment): said once at start, as `roster validate` does.
  // A connection's missing secret fails only the commands that open it (missing-secrets.ts).
  const config = await loadConfig(configPath, {
    env: options.env,
    deferConnectionSecrets: true,
    onWarnings: (warnings) => {
      for (const warning of warnings) log.warn('configuration warning', { at: formatProblem(warning) });
    },
  });
  const store = await openStore(config.store, { baseDir: config.baseDir });
  const connectors = new Map<string, Connector>();
  try {
    for (const target of config.targets) {
      const missing = missingFor(config, [{ kind: 'target', id: target.id }]);
      if (missing.length > 0) {
        connectors.set(target.id, unavailableConnector(target, missing));
        continue;
      }
      connectors.set(target.id, createConnector(target, { targetId: target.id, baseDir: config.baseDir, log, attributes: Object.keys(target.attributes), timezone: config.lifecycle.timezone }));
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  return new RosterEngine({
    config,
    store,
    connectors,
    log,
    metrics: options.metrics ?? noMetrics,
    now: options.now ?? (() => new Date()),
    workerId: newWorkerId(),
  });
}

/**
 * This engine's name on the jobs it leases: host and pid for the operator to
 * read, and a random part, because neither is unique alone. Two engines in one
 * process, or containers given the same hostname that all run as pid 1, would
 * otherwise share a name, and each would count the other's leases as its own
 * and could complete jobs the other is still running. Where Linux gives them,
 * the pid namespace and the boot id follow, so that a worker of this host
 * whose process is gone can be told for sure and its jobs taken over at once
 * (executor/worker-id.ts).
 */
export function newWorkerId(): string {
  return workerIdHere();
}
