import type { AddressInfo } from 'node:net';
import { scimFixture } from '../../src/api/scim/testing.js';
import { createToken } from '../../src/api/tokens.js';

export interface RunningRosterScim {
  /** `http://127.0.0.1:<port>/scim/v2`. */
  readonly baseUrl: string;
  /** A bearer token with the `scim` scope. */
  readonly token: string;
  stop(): Promise<void>;
}

export interface RosterScimOptions {
  /** The store holding the resources (default `sqlite::memory:`). */
  readonly storeUrl?: string;
}

/**
 * Roster's own SCIM 2.0 server (src/api/scim) on a random loopback port, over
 * real HTTP, so the scim connector can be run against it as against any other
 * service provider. Capabilities are the production defaults of
 * `scim.server` (maxResults 1000, /Bulk 1000 operations or 1 MiB): the client
 * must see what a deployed Roster tells it. Only the per-token rate limit is
 * lifted, as the conformance suite creates thousands of users at once.
 */
export async function startRosterScim(options: RosterScimOptions = {}): Promise<RunningRosterScim> {
  const fixture = await scimFixture(options.storeUrl ?? 'sqlite::memory:', {
    capabilities: {
      patch: true,
      bulk: { maxOperations: 1000, maxPayloadSize: 1024 * 1024 },
      filter: { maxResults: 1000 },
      changePassword: false,
      sort: true,
      etag: true,
    },
  });
  try {
    await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await fixture.close();
    throw error;
  }
  const { port } = fixture.app.server.address() as AddressInfo;
  const { token } = await createToken(fixture.store, 'roster-client', ['scim']);
  return { baseUrl: `http://127.0.0.1:${port}/scim/v2`, token, stop: () => fixture.close() };
}
