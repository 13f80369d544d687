import type { FastifyReply, FastifyRequest } from 'fastify';
import { isRosterError, type ErrorCode } from '../../core/errors.js';
import { isStoreBusy, STORE_BUSY_MESSAGE, STORE_RETRY_AFTER_S } from '../errors.js';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The scimType values of RFC 7644 §3.12; anything else a module puts in details.scimType is not passed on. */
const SCIM_TYPES = new Set([
  'invalidFilter', 'tooMany', 'uniqueness', 'mutability', 'invalidSyntax',
  'invalidPath', 'noTarget', 'invalidValue', 'invalidVers', 'sensitive',
  // RFC 9865 §2.1 (cursor pagination)
  'invalidCursor', 'expiredCursor', 'invalidCount',
]);

/** RFC 7644 §3.12 error body: `status` is a string there, not a number. */
export interface ScimErrorBody {
  readonly schemas: readonly [typeof ERROR_SCHEMA];
  readonly status: string;
  readonly scimType?: string;
  readonly detail: string;
}

/** What an error becomes on the wire; `internal` ones are logged and their message is never sent. */
export interface ScimFault {
  readonly status: number;
  readonly body: ScimErrorBody;
  readonly retryAfterSeconds?: number;
  readonly internal: boolean;
}

const STATUS: Readonly<Partial<Record<ErrorCode, number>>> = {
  'request.invalid': 400,
  'config.invalid': 400,
  'auth.required': 401,
  'auth.forbidden': 403,
  'store.not_found': 404,
  'identity.not_found': 404,
  'store.conflict': 409,
  'request.precondition_failed': 412,
  'request.too_large': 413,
  'request.rate_limited': 429,
};

/** Fastify's own client errors (bad JSON, body too large, unknown media type) carry a 4xx statusCode. */
function fastifyClientStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

export function errorBody(status: number, detail: string, scimType?: string): ScimErrorBody {
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType === undefined ? {} : { scimType }), detail };
}

function scimTypeOf(details: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = details?.scimType;
  return typeof value === 'string' && SCIM_TYPES.has(value) ? value : undefined;
}

/** Details for Fastify's client errors: fixed texts, so nothing of the body is echoed. */
function fastifyDetail(status: number, bodyLimit: number | undefined): { detail: string; scimType?: string } {
  if (status === 400) return { detail: 'The request body is not valid JSON', scimType: 'invalidSyntax' };
  if (status === 413) return { detail: `The request body is larger than the limit${bodyLimit === undefined ? '' : ` of ${bodyLimit} bytes`}` };
  if (status === 415) return { detail: 'Send the body as application/scim+json or application/json' };
  return { detail: 'The request was refused' };
}

/**
 * The one table from anything thrown to a SCIM error: used for whole requests
 * and for each operation of a Bulk request.
 */
export function scimFault(error: unknown, bodyLimit?: number): ScimFault {
  if (isStoreBusy(error)) {
    return { status: 503, body: errorBody(503, STORE_BUSY_MESSAGE), retryAfterSeconds: STORE_RETRY_AFTER_S, internal: false };
  }
  if (isRosterError(error)) {
    const status = STATUS[error.code];
    if (status === undefined) return { status: 500, body: errorBody(500, 'Internal server error'), internal: true };
    let scimType = scimTypeOf(error.details);
    if (status === 400) scimType ??= 'invalidSyntax';
    const retryAfterSeconds = status === 429 ? Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)) : undefined;
    return {
      status,
      body: errorBody(status, error.message, scimType),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      internal: false,
    };
  }
  const clientStatus = fastifyClientStatus(error);
  if (clientStatus !== undefined) {
    const { detail, scimType } = fastifyDetail(clientStatus, bodyLimit);
    return { status: clientStatus, body: errorBody(clientStatus, detail, scimType), internal: false };
  }
  return { status: 500, body: errorBody(500, 'Internal server error'), internal: true };
}

/** The plugin's error handler: SCIM bodies inside /scim/v2, the REST table everywhere else. */
export function handleScimError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const fault = scimFault(error, request.routeOptions.bodyLimit);
  if (fault.internal) request.log.error({ err: error }, 'scim request failed');
  if (fault.status === 401) void reply.header('WWW-Authenticate', 'Bearer');
  if (fault.retryAfterSeconds !== undefined) void reply.header('Retry-After', String(fault.retryAfterSeconds));
  return reply.status(fault.status).send(fault.body);
}

/** `/Me` and what is under it (RFC 7644 §3.11). */
const ME = /^\/scim\/v2\/Me(?:\/|$)/i;

/**
 * Unknown paths under /scim/v2 (RFC 7644 §3.12: 404 for a resource endpoint
 * that does not exist). `/Me` is a 501: a token here is a provisioning
 * client, not a user, and §3.11 says a service provider without /Me SHOULD
 * answer 501 so the client knows it is not supported rather than missing.
 */
export function scimNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? '';
  if (ME.test(path)) {
    return reply.status(501).send(errorBody(501, '/Me is not supported: the tokens of this server authenticate provisioning clients, not users'));
  }
  return reply.status(404).send(errorBody(404, `No SCIM endpoint ${request.method} ${path}`));
}
