import { z } from 'zod';
import { booleanField, numberField } from '../../config/values.js';

export const memoryOperations = ['check', 'list', 'get', 'create', 'update', 'setEnabled', 'delete', 'grant', 'revoke'] as const;

const seedAccount = z.object({
  attributes: z.record(z.string(), z.unknown()),
  enabled: booleanField().default(true),
  entitlements: z.array(z.string()).default([]),
}).strict();

/** Faults the target starts with (tests can add more through `memoryTargets`). */
const failures = z.object({
  /** Fail this many operations with a retryable 'target.unavailable'. */
  count: numberField(z.number().int().min(0)),
  retryAfterMs: numberField(z.number().int().min(0)).optional(),
  /** Only these operations fail (default: every operation). */
  operations: z.array(z.enum(memoryOperations)).optional(),
}).strict();

/** The `connection:` block of a `type: memory` target. */
export const memoryConnectionSchema = z.object({
  /** The attribute holding the natural key; it is also the account id (default: the target's accountKey, else 'username'). */
  key: z.string().min(1).optional(),
  seed: z.array(seedAccount).default([]),
  failures: failures.optional(),
  /** Each operation waits this long (to observe concurrency in tests and benchmarks). */
  latencyMs: numberField(z.number().int().min(0)).default(0),
}).strict();

export type MemoryConnectionConfig = z.infer<typeof memoryConnectionSchema>;
