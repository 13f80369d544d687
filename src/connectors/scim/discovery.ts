import { RosterError, isRosterError } from '../../core/errors.js';
import type { ScimHttp } from './http.js';
import { scimBoolean } from './mapping.js';
import type { ScimCapabilities, ScimProfile } from './profiles/index.js';

/** The parts of a ServiceProviderConfig (RFC 7643 §5) the connector adapts to. */
export function readServiceProviderConfig(body: unknown): ScimCapabilities | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const config = body as Record<string, { supported?: unknown; maxResults?: unknown } | undefined>;
  const patch = scimBoolean(config.patch?.supported);
  const filter = scimBoolean(config.filter?.supported);
  if (patch === undefined && filter === undefined) return undefined;
  const maxResults = Number(config.filter?.maxResults);
  return {
    patch: patch ?? false,
    filter: filter ?? false,
    ...(Number.isInteger(maxResults) && maxResults > 0 ? { maxResults } : {}),
  };
}

/**
 * GET the profile's ServiceProviderConfig. A failure is reported with the URL
 * and the HTTP status, never with a header: e.g. "discovery failed: GET
 * https://host/scim/v2/ServiceProviderConfig on app: HTTP 401".
 */
export async function discover(http: ScimHttp, profile: ScimProfile, targetId: string): Promise<ScimCapabilities> {
  const path = profile.discoveryPath;
  if (path === undefined) {
    if (profile.declared !== undefined) return profile.declared;
    throw new RosterError('config.invalid', `target ${targetId}: profile ${profile.name} has neither discovery nor declared capabilities`);
  }
  try {
    const { body } = await http.request('GET', path);
    const capabilities = readServiceProviderConfig(body);
    if (capabilities === undefined) {
      throw new RosterError('target.rejected', `GET ${path} on ${targetId}: the answer is not a ServiceProviderConfig (no patch/filter)`);
    }
    return capabilities;
  } catch (error) {
    const cause = isRosterError(error) ? error : undefined;
    throw new RosterError(cause?.code ?? 'target.unavailable', `target ${targetId}: SCIM discovery failed: ${cause?.message ?? String(error)}`, {
      retryable: cause?.retryable ?? true,
      retryAfterMs: cause?.retryAfterMs,
      cause: error,
      details: cause?.details,
    });
  }
}
