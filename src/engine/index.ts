import { hostname } from 'node:os';
import { loadConfig } from '../config/load.js';
import type { Connector, Logger } from '../connectors/types.js';
import { createConnector } from '../connectors/registry.js';
import { createLogger } from '../core/log.js';
import { openStore } from '../store/index.js';
import { RosterEngine } from './engine.js';
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
  const config = await loadConfig(configPath, { env: options.env });
  const log = options.log ?? createLogger();
  const store = await openStore(config.store, { baseDir: config.baseDir });
  const connectors = new Map<string, Connector>();
  try {
    for (const target of config.targets) {
      connectors.set(target.id, createConnector(target, { targetId: target.id, baseDir: config.baseDir, log, attributes: Object.keys(target.attributes) }));
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
    workerId: `${hostname()}:${process.pid}`,
  });
}
