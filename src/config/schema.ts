import { z } from 'zod';
import { attributeName, connectionFields, dnString, tlsSchema } from '../connectors/directory/config.js';
import { parseDuration, parseThreshold } from './durations.js';
import type { Threshold } from './types.js';

/**
 * The zod schema of roster.yaml as written (after `${…}` substitution).
 * Objects are strict (an unknown key is a problem naming the key); defaults
 * are the ones documented in types.ts. load.ts turns the output into a
 * RosterConfig (absolute paths, file, baseDir) and runs the cross-checks.
 */

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const idSchema = z.string().regex(ID_PATTERN, "expected an id of letters, digits, '-', '_' or '.'");

/** A whole number; a numeric string (from `${env:…}`) is accepted. */
function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
    z.number().int().min(min).max(max),
  );
}

/** A CEL expression; a YAML `true`/`false`/number is taken as the literal. */
const expressionSchema = z.preprocess(
  (value) => (typeof value === 'boolean' || typeof value === 'number' ? String(value) : value),
  z.string().min(1),
);

function threshold(fallback: Threshold) {
  return z.unknown().optional().transform((value, ctx): Threshold => {
    if (value === undefined) return fallback;
    const parsed = parseThreshold(value);
    if (parsed.ok) return parsed.threshold;
    ctx.issues.push({ code: 'custom', message: parsed.message, input: value });
    return z.NEVER;
  });
}

function duration(fallback: string) {
  return z.unknown().optional().transform((value, ctx): number | null => {
    const parsed = parseDuration(value ?? fallback);
    if (parsed.ok) return parsed.ms;
    ctx.issues.push({ code: 'custom', message: parsed.message, input: value });
    return z.NEVER;
  });
}

const nonEmpty = z.string().min(1);

const serverSchema = z
  .strictObject({ host: nonEmpty.default('127.0.0.1'), port: integer(0, 65535).default(8080) })
  .prefault({});

const lifecycleSchema = z
  .strictObject({
    prehireLeadDays: integer(0).default(7),
    leaveStatuses: z.array(z.string()).default(['leave', 'on leave', 'loa']),
    terminatedStatuses: z.array(z.string()).default(['terminated', 'inactive', 'leaver']),
    rescindedStatuses: z.array(z.string()).default(['rescinded', 'withdrawn', 'cancelled']),
    timezone: nonEmpty.default('UTC'),
  })
  .prefault({});

const fieldsSchema = z
  .strictObject({
    startDate: nonEmpty.default('startDate'),
    endDate: nonEmpty.default('endDate'),
    status: nonEmpty.default('status'),
    employmentType: nonEmpty.default('employmentType'),
    manager: nonEmpty.default('managerId'),
  })
  .prefault({});

/** An RFC 4515 filter in parentheses, with balanced parentheses (escaped ones are \\28 / \\29). */
function isFilter(filter: string): boolean {
  if (!filter.startsWith('(') || !filter.endsWith(')')) return false;
  let depth = 0;
  for (const char of filter) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** `connection:` of an ldap / ad source (the directory is read, never written). */
const directorySourceConnectionSchema = z.strictObject({
  url: connectionFields.url,
  bindDN: connectionFields.bindDN,
  password: connectionFields.password,
  startTLS: connectionFields.startTLS,
  tls: tlsSchema.optional(),
  timeoutMs: connectionFields.timeoutMs,
  connectTimeoutMs: connectionFields.connectTimeoutMs,
  pageSize: connectionFields.pageSize,
  base: dnString,
  filter: z.string().refine(isFilter, 'must be an LDAP filter in parentheses, such as (objectClass=inetOrgPerson)').optional(),
});

export const sourceSchema = z.strictObject({
  id: idSchema,
  type: z.enum(['csv', 'json', 'push', 'ldap', 'ad']),
  path: nonEmpty.optional(),
  connection: directorySourceConnectionSchema.optional(),
  attributes: z.record(z.string().min(1), attributeName).optional(),
  fullSchedule: nonEmpty.optional(),
  fullEvery: integer(1).optional(),
  disabledStatus: nonEmpty.optional(),
  key: nonEmpty,
  schedule: nonEmpty.optional(),
  fields: fieldsSchema,
  delimiter: z.string().length(1).default(','),
  complete: z.boolean().optional(),
  maxMissing: threshold({ percent: 20 }),
});

const leaverSchema = z
  .strictObject({
    disable: z.enum(['immediately', 'never']).default('immediately'),
    delete: duration('after 30d'),
  })
  .prefault({});

const safetySchema = z
  .strictObject({
    maxDeletes: threshold({ percent: 5 }),
    maxDisables: threshold({ percent: 10 }),
    minAccounts: integer(0).default(10),
  })
  .prefault({});

const executorSchema = z
  .strictObject({
    concurrency: integer(1).default(4),
    maxAttempts: integer(1).default(8),
    backoffBaseMs: integer(0).default(500),
    backoffMaxMs: integer(0).default(300_000),
    quarantineAfter: integer(1).default(20),
  })
  .prefault({});

const matchRuleSchema = z.strictObject({
  account: nonEmpty,
  identity: nonEmpty,
  normalise: z.enum(['caseInsensitive', 'exact']).default('caseInsensitive'),
});

const reconcileSchema = z
  .strictObject({
    match: z.array(matchRuleSchema).default([]),
    orphans: z.enum(['report', 'disable', 'delete']).default('report'),
  })
  .prefault({});

export const targetSchema = z.strictObject({
  id: idSchema,
  type: nonEmpty,
  connection: z.record(z.string(), z.unknown()).default({}),
  scope: expressionSchema.default('true'),
  attributes: z.record(z.string(), expressionSchema).default({}),
  accountKey: nonEmpty,
  leaver: leaverSchema,
  onLeave: z.enum(['disable', 'keep']).default('disable'),
  safety: safetySchema,
  executor: executorSchema,
  reconcile: reconcileSchema,
});

export const roleSchema = z.strictObject({
  id: idSchema,
  description: z.string().optional(),
  when: expressionSchema,
  grants: z.record(z.string(), z.array(nonEmpty)).default({}),
});

export const configSchema = z.strictObject({
  store: nonEmpty.default('sqlite:./data/roster.db'),
  server: serverSchema,
  lifecycle: lifecycleSchema,
  sources: z.array(sourceSchema),
  targets: z.array(targetSchema),
  roles: z.array(roleSchema).default([]),
});

export type ConfigInput = z.output<typeof configSchema>;
