import { isStale, versionOf, type ScimHttp } from './http.js';

/** Read-modify-write rounds a PUT gets when others keep changing the resource (412). */
const MAX_STALE_WRITES = 5;

/**
 * A read-modify-write by PUT (servers without PATCH), guarded by If-Match
 * with the version read (RFC 7644 §3.14, meta.version), so a change someone
 * else made meanwhile is not overwritten: a 412 starts again from a fresh
 * read. A server that refuses the very version it still reports (a strict
 * strong comparison of the weak ETags SCIM servers send) gets the PUT
 * without If-Match, as before versions were used.
 */
export async function putChanged(
  http: ScimHttp, path: string, read: () => Promise<unknown>, change: (current: unknown) => unknown, current?: unknown,
): Promise<void> {
  let resource = current ?? await read();
  let guarded = true;
  for (let attempt = 1; ; attempt++) {
    const ifMatch = guarded ? versionOf(resource) : undefined;
    try {
      await http.request('PUT', path, { body: change(resource), ifMatch });
      return;
    } catch (error) {
      if (ifMatch === undefined || !isStale(error) || attempt >= MAX_STALE_WRITES) throw error;
    }
    resource = await read();
    if (versionOf(resource) === ifMatch) guarded = false;
  }
}
