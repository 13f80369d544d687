import Fastify, { type FastifyInstance } from 'fastify';
import { createScimRegistry, type ScimCapabilities } from '../../scim/resource/index.js';
import { openStore } from '../../store/index.js';
import type { Store } from '../../store/types.js';
import { registerAuth } from '../auth.js';
import { createToken } from '../tokens.js';
import { scimRoutes } from './index.js';
import type { ScimServerOptions } from './types.js';

/** Capabilities small enough for tests to reach every limit. */
export const TEST_CAPABILITIES: ScimCapabilities = {
  patch: true,
  bulk: { maxOperations: 50, maxPayloadSize: 64 * 1024 },
  filter: { maxResults: 50 },
  changePassword: false,
  sort: true,
  etag: true,
};

export interface ScimFixture {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** Authorization and Content-Type headers of a client holding a `scim` token. */
  readonly headers: Readonly<Record<string, string>>;
  /** A token with another scope only (for 403s). */
  readonly otherToken: string;
  close(): Promise<void>;
}

/** A Fastify app as server.ts builds it: shared auth hook, then the SCIM plugin under /scim/v2. */
export async function scimFixture(
  storeUrl = 'sqlite::memory:',
  overrides: Partial<Omit<ScimServerOptions, 'store'>> = {},
  /** Where the request log goes (level warn), when a test reads it. */
  logStream?: NodeJS.WritableStream,
): Promise<ScimFixture> {
  const store = await openStore(storeUrl);
  const app = Fastify({ logger: logStream === undefined ? false : { level: 'warn', stream: logStream } });
  registerAuth(app, store);
  const options: ScimServerOptions = {
    store,
    registry: createScimRegistry([]),
    capabilities: TEST_CAPABILITIES,
    rateLimit: { perSecond: 100_000, burst: 100_000 },
    ...overrides,
  };
  await app.register(scimRoutes(options), { prefix: '/scim/v2' });
  await app.ready();
  const { token } = await createToken(store, 'idp', ['scim']);
  const other = await createToken(store, 'reader', ['api:read']);
  return {
    app,
    store,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    otherToken: other.token,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
