import type { FastifyInstance } from 'fastify';
import { buildServer, type ServerOptions } from '../server.js';
import { createToken } from '../tokens.js';
import { createFakeEngine, type FakeEngine } from './fake-engine.js';

export interface ApiFixture {
  readonly engine: FakeEngine;
  readonly app: FastifyInstance;
  /** Bearer tokens by role: admin, read (api:read), write (api:write), push (push:hr), metrics, scim. */
  readonly tokens: Readonly<Record<'admin' | 'read' | 'write' | 'push' | 'metrics' | 'scim', string>>;
  readonly auth: (token: string) => { authorization: string };
  close(): Promise<void>;
}

export async function apiFixture(options: ServerOptions = {}): Promise<ApiFixture> {
  const engine = await createFakeEngine();
  const app = await buildServer(engine, options);
  const make = async (name: string, scopes: string[]) => (await createToken(engine.store, name, scopes)).token;
  const tokens = {
    admin: await make('admin', ['admin']),
    read: await make('reader', ['api:read']),
    write: await make('writer', ['api:write']),
    push: await make('workday', ['push:hr']),
    metrics: await make('prometheus', ['metrics']),
    scim: await make('entra', ['scim']),
  };
  return {
    engine, app, tokens,
    auth: (token) => ({ authorization: `Bearer ${token}` }),
    async close() {
      await app.close();
      await engine.close();
    },
  };
}
