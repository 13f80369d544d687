import { z } from 'zod';
import { scimProfileNames } from './profiles/index.js';
import { isAttributePath } from './path.js';
import { booleanField, numberField } from '../../config/values.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * Roster attribute -> SCIM attribute path used when a target names no
 * `mapping`. `active` is not here: it is the account's `enabled`.
 */
export const DEFAULT_MAPPING: Readonly<Record<string, string>> = Object.freeze({
  userName: 'userName',
  externalId: 'externalId',
  givenName: 'name.givenName',
  familyName: 'name.familyName',
  displayName: 'displayName',
  email: 'emails[type eq "work"].value',
  title: 'title',
  employeeNumber: `${ENTERPRISE}:employeeNumber`,
  department: `${ENTERPRISE}:department`,
  manager: `${ENTERPRISE}:manager.value`,
});

/** Secrets: write ${env:NAME} or ${file:PATH} in roster.yaml; substituted at load, never logged. */
const secret = z.string().min(1);

const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bearer'), token: secret }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: secret }).strict(),
  /** OAuth 2.0 client credentials grant (RFC 6749 §4.4). */
  z.object({
    type: z.literal('oauth2'),
    tokenUrl: z.url(),
    clientId: z.string().min(1),
    clientSecret: secret,
    scope: z.string().min(1).optional(),
  }).strict(),
]);

const attributePath = z.string().refine(isAttributePath, 'must be a SCIM attribute path such as name.givenName, emails[type eq "work"].value or urn:…:User:department');

/** The `connection:` block of a `type: scim` target. */
export const scimConnectionSchema = z.object({
  /** The SCIM base URL, e.g. https://api.slack.com/scim/v2 (no trailing /Users). */
  baseUrl: z.url(),
  /** Allow http:// (loopback tests only: credentials would cross the network in clear). */
  allowInsecureHttp: booleanField().default(false),
  auth: authSchema,
  profile: z.enum(scimProfileNames).default('generic'),
  timeoutMs: numberField(z.number().int().positive()).default(30_000),
  /** Requests in flight at once to this target. */
  concurrency: numberField(z.number().int().min(1).max(64)).default(4),
  /** Retries of a read (GET) inside one operation; writes are retried by the executor. */
  maxRetries: numberField(z.number().int().min(0).max(10)).default(2),
  /** Users per page of list(); default: the server's filter.maxResults, else 100. */
  pageSize: numberField(z.number().int().min(1).max(10_000)).optional(),
  /** Extra schema URNs put in every User's `schemas` (the enterprise one is added when a mapping uses it). */
  userSchemaExtensions: z.array(z.string().regex(/^urn:[^\s]+$/, 'must be a schema URN')).default([]),
  /** Roster attribute -> SCIM attribute path; replaces the default mapping as a whole. */
  mapping: z.record(z.string().min(1), attributePath).default(DEFAULT_MAPPING),
  /** How create finds an account that already exists, in order. */
  matchBy: z.array(z.enum(['userName', 'externalId', 'emails'])).min(1).default(['userName', 'externalId', 'emails']),
  groups: z.object({
    /** Create a group named by an entitlement when none has that displayName. */
    createMissing: booleanField().default(false),
  }).strict().prefault({}),
}).strict().superRefine((config, ctx) => {
  if (config.baseUrl.startsWith('http://') && !config.allowInsecureHttp) {
    ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'must be https:// (set allowInsecureHttp: true for a loopback test server)' });
  } else if (!/^https?:\/\//.test(config.baseUrl)) {
    ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'must be an https:// URL' });
  }
  // fetch refuses such a URL with an error that repeats it, password included; nothing is lost (auth: says how).
  if (hasUserInfo(config.baseUrl)) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'must not hold user:password@ (use auth:)' });
  if (config.auth.type === 'oauth2' && hasUserInfo(config.auth.tokenUrl)) {
    ctx.addIssue({ code: 'custom', path: ['auth', 'tokenUrl'], message: 'must not hold user:password@ (use clientId and clientSecret)' });
  }
  if (config.auth.type === 'oauth2' && config.auth.tokenUrl.startsWith('http://') && !config.allowInsecureHttp) {
    ctx.addIssue({ code: 'custom', path: ['auth', 'tokenUrl'], message: 'must be https:// (the client secret is sent to it)' });
  }
  if (!Object.values(config.mapping).includes('userName')) {
    ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'must map one attribute to userName (SCIM requires it)' });
  }
});

function hasUserInfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

export type ScimConnectionConfig = z.infer<typeof scimConnectionSchema>;
export type ScimAuthConfig = ScimConnectionConfig['auth'];
