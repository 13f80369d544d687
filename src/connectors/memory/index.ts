import type { ConnectorFactory } from '../types.js';
import type { MemoryConnectionConfig } from './config.js';
import { MemoryConnector } from './memory-connector.js';
import { MemoryTarget, memoryTargets } from './memory-target.js';

export { memoryConnectionSchema, memoryOperations, type MemoryConnectionConfig } from './config.js';
export { MemoryConnector } from './memory-connector.js';
export { MemoryTarget, memoryTargets, type MemoryOperation, type FaultOptions } from './memory-target.js';

/**
 * Connectors for `type: memory` targets. Every connector made for the same
 * target id shares one MemoryTarget (see `memoryTargets`); the seed is loaded
 * only when the target is first made.
 */
export const memoryConnectorFactory: ConnectorFactory<MemoryConnectionConfig> = {
  kind: 'memory',
  create(config, context) {
    let target = memoryTargets.get(context.targetId);
    if (target === undefined) {
      target = new MemoryTarget(context.targetId, config.key ?? 'username', config.latencyMs);
      memoryTargets.set(context.targetId, target);
      for (const seed of config.seed) {
        const key = seed.attributes[target.key];
        if (typeof key !== 'string') continue;
        target.accounts.set(key, {
          attributes: structuredClone(seed.attributes),
          enabled: seed.enabled,
          entitlements: new Set(seed.entitlements),
        });
      }
      if (config.failures !== undefined) {
        const { count, retryAfterMs, operations } = config.failures;
        target.failNext(count, { retryAfterMs, operations });
      }
    }
    return new MemoryConnector(target);
  },
};
