import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURSOR_KEY_STATE } from '../../src/api/scim/cursor.js';
import { scimFixture, type ScimFixture } from '../../src/api/scim/testing.js';
import { freshSchema } from '../support/pg.js';

/**
 * RFC 9865 cursors across SCIM server nodes: several `roster serve`
 * processes on one store (behind one load balancer) share the cursor key
 * through the store, so a walk may hop between nodes and survive a restart;
 * a cursor from another deployment (another store) is still invalidCursor.
 */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const USERS = 250;
const PAGE = 40;

type Json = Record<string, any>;

const backends: [string, () => Promise<{ url: string; drop(): Promise<void> }>][] = [
  ['sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-scim-nodes-'));
    return { url: `sqlite:${join(dir, 'roster.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }],
  ['postgres', async () => freshSchema('scim_nodes')],
];

async function page(node: ScimFixture, cursor: string): Promise<{ status: number; body: Json }> {
  const response = await node.app.inject({ method: 'GET', url: `/scim/v2/Users?attributes=userName&count=${PAGE}&cursor=${encodeURIComponent(cursor)}`, headers: node.headers });
  return { status: response.statusCode, body: response.json() as Json };
}

describe.each(backends)('SCIM cursors across nodes on %s', (_name, database) => {
  let url: string;
  let drop: () => Promise<void>;
  const nodes: ScimFixture[] = [];
  const node = async (storeUrl = url): Promise<ScimFixture> => {
    const started = await scimFixture(storeUrl);
    nodes.push(started);
    return started;
  };

  beforeAll(async () => {
    ({ url, drop } = await database());
    const first = await node();
    await first.store.scim.createMany(Array.from({ length: USERS }, (_, i) => ({
      resourceType: 'User', id: randomUUID(), data: { schemas: [USER], userName: `node-user-${i}` }, uniqueName: `node-user-${i}`,
    })));
  }, 60_000);

  afterAll(async () => {
    for (const started of nodes) await started.close().catch(() => undefined);
    await drop?.();
  });

  it('a walk hops between two nodes and over a restart, and sees every user once', async () => {
    const [a] = nodes as [ScimFixture];
    const b = await node();
    const seen: string[] = [];
    let cursor = '';
    for (let hop = 0; ; hop += 1) {
      // A, B, A, B, …; halfway, B is restarted (a new process on the same store).
      if (hop === 3) {
        await nodes[1]?.close();
        nodes[1] = await scimFixture(url);
      }
      const current = hop % 2 === 0 ? a : (nodes[1] ?? b);
      const reply = await page(current, cursor);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      seen.push(...(reply.body.Resources as Json[]).map((user) => String(user.userName)));
      if (reply.body.nextCursor === undefined) break;
      cursor = String(reply.body.nextCursor);
    }
    expect(seen).toHaveLength(USERS);
    expect(new Set(seen).size).toBe(USERS);
  });

  it('the key is drawn once and kept in the store; a damaged one is replaced', async () => {
    const [a] = nodes as [ScimFixture];
    const key = await a.store.state.get<string>(CURSOR_KEY_STATE);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const issued = String((await page(a, '')).body.nextCursor);
    await a.store.state.set(CURSOR_KEY_STATE, 'not a key');
    const restarted = await node();
    const fresh = await restarted.store.state.get<string>(CURSOR_KEY_STATE);
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(key);
    // Signed under the replaced key: refused, not misread.
    const refused = await page(restarted, issued);
    expect(refused.status).toBe(400);
    expect(refused.body.scimType).toBe('invalidCursor');
  });

  it('a cursor from another deployment (another store) is invalidCursor', async () => {
    const [a] = nodes as [ScimFixture];
    const elsewhere = await node('sqlite::memory:');
    const cursor = String((await page(a, '')).body.nextCursor);
    const reply = await page(elsewhere, cursor);
    expect(reply.status).toBe(400);
    expect(reply.body.scimType).toBe('invalidCursor');
  });
});
