import { z } from 'zod';
import { connectionFields, dnString, tlsSchema } from '../connectors/directory/config.js';
import { isAttributeName } from '../connectors/directory/escape.js';
import { DEFAULT_MAX_REVOKES } from '../lifecycle/threshold.js';
import { checkScimPathSyntax } from '../sources/scim.js';
import { DEFAULT_SAFETY_WINDOW_MS, parseDuration, parseThreshold } from './durations.js';
import { checkMatchRules } from './match-rules.js';
import type { Threshold } from './types.js';
import { booleanField, numberField } from './values.js';

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
  return numberField(z.number().int().min(min).max(max));
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

/** A threshold with no value when not written (its default is applied where it is used). */
function optionalThreshold() {
  return z.unknown().optional().transform((value, ctx): Threshold | undefined => {
    if (value === undefined) return undefined;
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
  .strictObject({
    host: nonEmpty.default('127.0.0.1'),
    port: integer(0, 65535).default(8080),
    // Behind a reverse proxy: trust its X-Forwarded-* headers (true, or only from these addresses / CIDRs).
    trustProxy: z.union([booleanField(), z.array(nonEmpty).min(1)]).default(false),
  })
  .prefault({});

const lifecycleSchema = z
  .strictObject({
    prehireLeadDays: integer(0).default(7),
    // false: a future hire's accounts are prepared without entitlements; the roles' grants come with the start-day enable.
    prehireEntitlements: booleanField().default(true),
    leaveStatuses: z.array(z.string()).default(['leave', 'on leave', 'loa']),
    terminatedStatuses: z.array(z.string()).default(['terminated', 'inactive', 'leaver']),
    rescindedStatuses: z.array(z.string()).default(['rescinded', 'withdrawn', 'cancelled']),
    timezone: nonEmpty.default('UTC'),
    conversionGapDays: integer(0).default(3),
  })
  .prefault({});

const fieldsSchema = z
  .strictObject({
    startDate: nonEmpty.default('startDate'),
    endDate: nonEmpty.default('endDate'),
    status: nonEmpty.default('status'),
    employmentType: nonEmpty.default('employmentType'),
    manager: nonEmpty.default('managerId'),
    /** No default: only a source that names the column continues people rehired under a new key (lifecycle/continued.ts). */
    previousKey: nonEmpty.optional(),
  })
  .prefault({});

/**
 * One RFC 4515 filter in parentheses, with balanced parentheses (escaped ones
 * are \\28 / \\29): `(a=b)(c=d)` is two filters, closed before its end.
 */
function isFilter(filter: string): boolean {
  if (!filter.startsWith('(') || !filter.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    if (filter[i] === '(') depth += 1;
    if (filter[i] === ')') depth -= 1;
    if (depth < 0 || (depth === 0 && i < filter.length - 1)) return false;
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

/** A directory attribute (ldap / ad) or SCIM attribute paths (scim); the cross-checks hold each source type to its own kind. */
const sourceAttribute = z.string().superRefine((value, ctx) => {
  if (isAttributeName(value)) return;
  try {
    checkScimPathSyntax(value);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^invalid SCIM attribute path '.*?': /s, '');
    ctx.addIssue({ code: 'custom', message: `must be an LDAP attribute name (ldap, ad) or a SCIM attribute path (scim): ${reason}` });
  }
});

export const sourceSchema = z.strictObject({
  id: idSchema,
  type: z.enum(['csv', 'json', 'push', 'ldap', 'ad', 'scim']),
  path: nonEmpty.optional(),
  connection: directorySourceConnectionSchema.optional(),
  attributes: z.record(z.string().min(1), sourceAttribute).optional(),
  fullSchedule: nonEmpty.optional(),
  fullEvery: integer(1).optional(),
  changes: z.enum(['timestamp', 'syncrepl']).optional(),
  disabledStatus: nonEmpty.optional(),
  keyChanges: z.enum(['follow', 'newPerson']).optional(),
  key: nonEmpty,
  schedule: nonEmpty.optional(),
  fields: fieldsSchema,
  delimiter: z.string().length(1).default(','),
  complete: booleanField().optional(),
  maxMissing: threshold({ percent: 20 }),
});

const leaverSchema = z
  .strictObject({
    disable: z.enum(['immediately', 'never']).default('immediately'),
    delete: duration('after 30d'),
  })
  .prefault({});

/** `safety.window`: a duration; 0, "0", "none", "off", "never" or "immediately" turn it off (0). Default 1h. */
function safetyWindow() {
  return z.unknown().optional().transform((value, ctx): number => {
    if (value === undefined) return DEFAULT_SAFETY_WINDOW_MS;
    if (value === 0 || (typeof value === 'string' && ['0', 'none', 'off'].includes(value.trim().toLowerCase()))) return 0;
    const parsed = parseDuration(value);
    if (parsed.ok) return parsed.ms ?? 0;
    ctx.issues.push({ code: 'custom', message: `${parsed.message}, or "none" (no window)`, input: value });
    return z.NEVER;
  });
}

const safetySchema = z
  .strictObject({
    maxDeletes: threshold({ percent: 5 }),
    maxDisables: threshold({ percent: 10 }),
    maxRevokes: threshold(DEFAULT_MAX_REVOKES),
    // Left out when not written (DEFAULT_MAX_MOVES then), so configs without it load as before.
    maxMoves: optionalThreshold(),
    minAccounts: integer(0).default(10),
    window: safetyWindow(),
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

/**
 * The top-level `executor:` section: what every worker of this configuration
 * shares. `leaseSeconds`: how long a claimed change is leased before another
 * worker may take it over (a worker renews the leases of what it runs; a
 * crashed one stops, and its changes wait this long unless it ran on the same
 * host and is provably gone, executor/worker-id.ts). At least 5 s (renewed
 * every fifth of it), at most a day.
 */
const workersSchema = z
  .strictObject({
    leaseSeconds: integer(5, 86_400).default(60),
  })
  .prefault({});

const matchRuleSchema = z.strictObject({
  account: nonEmpty,
  identity: nonEmpty,
  normalise: z.enum(['caseInsensitive', 'exact', 'numeric']).default('caseInsensitive'),
});

const reconcileSchema = z
  .strictObject({
    match: z.array(matchRuleSchema).default([]),
    orphans: z.enum(['report', 'disable', 'delete']).default('report'),
    schedule: nonEmpty.optional(),
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
  secrets: z.array(nonEmpty).default([]),
}).superRefine(checkMatchRules).superRefine((target, ctx) => {
  // A secret is kept only as a fingerprint: it cannot be the key accounts are found by, and must be something the target writes.
  target.secrets.forEach((name, i) => {
    if (name === target.accountKey || name === 'dn') ctx.addIssue({ code: 'custom', path: ['secrets', i], message: `${name} ${name === 'dn' ? 'places the account' : 'is the account key'}: it cannot be a secret` });
    else if (!Object.hasOwn(target.attributes, name)) ctx.addIssue({ code: 'custom', path: ['secrets', i], message: `${name} is not one of this target's attributes` });
    // unique() compares candidates with the values links hold, which for a secret are fingerprints: it could never see a clash.
    else if (/\bunique\s*\(/.test(target.attributes[name] ?? '')) ctx.addIssue({ code: 'custom', path: ['secrets', i], message: `${name} uses unique(): a secret is kept only as a fingerprint, so its uniqueness cannot be checked` });
  });
});

export const roleSchema = z.strictObject({
  id: idSchema,
  description: z.string().optional(),
  when: expressionSchema,
  grants: z.record(z.string(), z.array(nonEmpty)).default({}),
});

// ---------------------------------------------------------------- scim

/**
 * The `scim:` section: the SCIM 2.0 server under /scim/v2 (docs/scim.md).
 * Extension schemas are checked here for shape only; the registry
 * (src/scim/resource/) refuses clashing ids and duplicate names, which the
 * cross-checks report.
 */
const MIB = 1024 * 1024;

const attributeFields = {
  name: z.string().min(1),
  type: z.enum(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex']),
  multiValued: booleanField().optional(),
  caseExact: booleanField().optional(),
  required: booleanField().optional(),
  mutability: z.enum(['readOnly', 'readWrite', 'immutable', 'writeOnly']).optional(),
  returned: z.enum(['always', 'never', 'default', 'request']).optional(),
  uniqueness: z.enum(['none', 'server', 'global']).optional(),
  canonicalValues: z.array(z.string()).optional(),
  referenceTypes: z.array(z.string()).optional(),
  description: z.string().optional(),
};

const subAttributeSchema = z.strictObject(attributeFields);
const extensionAttributeSchema = z.strictObject({ ...attributeFields, subAttributes: z.array(subAttributeSchema).optional() });

const extensionSchema = z.strictObject({
  id: z.string().regex(/^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$/, 'expected a schema URN such as urn:example:params:scim:schemas:extension:acme:2.0:User'),
  name: z.string().optional(),
  description: z.string().optional(),
  resourceType: z.enum(['User', 'Group']).optional(),
  required: booleanField().optional(),
  attributes: z.array(extensionAttributeSchema).min(1),
});

const scimServerSchema = z
  .strictObject({
    enabled: booleanField().default(false),
    source: z.string().min(1).optional(),
    maxResults: integer(1, 100_000).default(1000),
    bulk: z.strictObject({ maxOperations: integer(1, 100_000).default(1000), maxPayloadSize: integer(1024, 100 * MIB).default(MIB) }).prefault({}),
    rateLimit: z.strictObject({ perSecond: integer(1).default(200), burst: integer(1).default(400) }).prefault({}),
    extensions: z.array(extensionSchema).default([]),
  })
  .prefault({});

const scimSchema = z.strictObject({ server: scimServerSchema }).prefault({});

export const configSchema = z.strictObject({
  store: nonEmpty.default('sqlite:./data/roster.db'),
  server: serverSchema,
  lifecycle: lifecycleSchema,
  sources: z.array(sourceSchema),
  targets: z.array(targetSchema),
  roles: z.array(roleSchema).default([]),
  scim: scimSchema,
  executor: workersSchema,
});

export type ConfigInput = z.output<typeof configSchema>;
