import type { FastifyInstance } from 'fastify';
import { RosterError } from '../../core/errors.js';
import type { ScimResource } from '../../store/types.js';
import { BULK_REQUEST_SCHEMA, parseBulkPath, parseBulkRequest, planBulk, resolveBulkIds, type BulkOperation } from './bulk-plan.js';
import { callOf, locationOf, resourceTypeAt, type ScimCall, type ScimServer } from './context.js';
import { scimFault, type ScimErrorBody } from './errors.js';
import { etagOf, parseEntityTags } from './etag.js';
import { createResource, deleteResource, patchResource, replaceResource } from './writes.js';

export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
export { BULK_REQUEST_SCHEMA };

/** One entry of a BulkResponse (RFC 7644 §3.7.3): `status` is a string there too. */
export interface BulkResult {
  readonly method: string;
  readonly bulkId?: string;
  readonly location?: string;
  readonly version?: string;
  readonly status: string;
  readonly response?: ScimErrorBody;
}

/** What each bulkId became: the id of the resource its POST created, or the POST's failure. */
type BulkIds = Map<string, { readonly id: string } | { readonly failed: true }>;

function conflict(message: string): RosterError {
  return new RosterError('store.conflict', message, { details: { scimType: 'invalidValue' } });
}

function lookupIn(bulkIds: BulkIds): (bulkId: string) => string {
  return (bulkId) => {
    const entry = bulkIds.get(bulkId);
    if (entry === undefined) throw conflict(`bulkId "${bulkId}" is not defined by a POST of this request`);
    if ('failed' in entry) throw conflict(`The POST with bulkId "${bulkId}" failed, so it cannot be referred to`);
    return entry.id;
  };
}

/** What every entry of the response repeats from its operation (a failed POST has no location: §3.7.3). */
function resultOf(operation: BulkOperation, location: string | undefined): Pick<BulkResult, 'method' | 'bulkId' | 'location'> {
  return {
    method: operation.method,
    ...(operation.bulkId === undefined ? {} : { bulkId: operation.bulkId }),
    ...(location === undefined ? {} : { location }),
  };
}

/** Runs one operation as its own write; the location is known as soon as the target id is. */
async function runOperation(
  server: ScimServer, call: ScimCall, operation: BulkOperation, bulkIds: BulkIds, report: (location: string) => void,
): Promise<{ status: number; resource?: ScimResource }> {
  if (operation.problem !== undefined) throw operation.problem;
  const lookup = lookupIn(bulkIds);
  const path = parseBulkPath(operation.path);
  const type = resourceTypeAt(server, path.endpoint);
  if (operation.method === 'POST') {
    if (path.id !== undefined) throw new RosterError('request.invalid', 'A POST path names a resource endpoint, e.g. /Users', { details: { scimType: 'invalidValue' } });
    const resource = await createResource(server, call, type, resolveBulkIds(operation.data, lookup));
    report(locationOf(call, type, resource.id));
    if (operation.bulkId !== undefined) bulkIds.set(operation.bulkId, { id: resource.id });
    return { status: 201, resource };
  }
  if (path.id === undefined) throw new RosterError('request.invalid', `${operation.method} needs a resource path, e.g. /Users/<id>`, { details: { scimType: 'invalidValue' } });
  const id = resolveBulkIds(path.id, lookup);
  report(locationOf(call, type, id));
  const ifMatch = parseEntityTags(operation.version);
  if (operation.method === 'DELETE') {
    await deleteResource(server, call, type, id, ifMatch);
    return { status: 204 };
  }
  const data = resolveBulkIds(operation.data, lookup);
  const resource = operation.method === 'PUT'
    ? await replaceResource(server, call, type, id, data, ifMatch)
    : await patchResource(server, call, type, id, data, ifMatch);
  return { status: 200, resource };
}

/**
 * RFC 7644 §3.7: each operation is its own write, in the order planBulk gives;
 * failures are reported per operation and, with failOnErrors, stop the rest.
 */
export async function runBulk(
  server: ScimServer, call: ScimCall, body: unknown, tokenId?: string,
): Promise<{ schemas: [string]; Operations: BulkResult[] }> {
  const request = parseBulkRequest(body, server.options.capabilities.bulk.maxOperations);
  // The request took one token of the rate limit; each further operation is a write of its own.
  if (tokenId !== undefined) server.chargeRateLimit(tokenId, request.operations.length - 1);
  const plan = planBulk(request.operations);
  const results = new Map<number, BulkResult>();
  const bulkIds: BulkIds = new Map();
  let errors = 0;
  const fail = (operation: BulkOperation, error: unknown, location: string | undefined): void => {
    const fault = scimFault(error);
    if (fault.internal) call.log.error({ err: error, operation: operation.index }, 'scim bulk operation failed');
    errors += 1;
    if (operation.method === 'POST' && operation.bulkId !== undefined) bulkIds.set(operation.bulkId, { failed: true });
    results.set(operation.index, { ...resultOf(operation, location), status: fault.body.status, response: fault.body });
  };
  const stopped = (): boolean => request.failOnErrors !== undefined && errors >= request.failOnErrors;

  for (const index of plan.order) {
    if (stopped()) break;
    const operation = request.operations[index] as BulkOperation;
    let location: string | undefined;
    try {
      const { status, resource } = await runOperation(server, call, operation, bulkIds, (known) => { location = known; });
      results.set(index, { ...resultOf(operation, location), ...(resource === undefined ? {} : { version: etagOf(resource.version) }), status: String(status) });
    } catch (error) {
      fail(operation, error, location);
    }
  }
  for (const index of plan.circular) {
    if (stopped()) break;
    const operation = request.operations[index] as BulkOperation;
    fail(operation, conflict('The operation is part of, or waits on, a circular chain of bulkId references'), undefined);
  }
  const Operations = [...results.entries()].sort(([a], [b]) => a - b).map(([, result]) => result);
  return { schemas: [BULK_RESPONSE_SCHEMA], Operations };
}

export function registerBulkRoute(app: FastifyInstance, server: ScimServer): void {
  app.post('/Bulk', { config: { scope: 'scim' }, bodyLimit: server.options.capabilities.bulk.maxPayloadSize }, async (request) =>
    runBulk(server, callOf(request, app.prefix), request.body, request.token?.id));
}
