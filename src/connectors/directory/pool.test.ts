import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { ClientPool, type DirectoryClient } from './pool.js';

let slapd: RunningSlapd;
let pool: ClientPool;

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
  pool = new ClientPool({ url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, tls: undefined, size: 4, timeoutMs: 5000, connectTimeoutMs: 5000 });
});

afterAll(async () => {
  await pool?.close();
  await slapd?.stop();
});

/** Run `count` operations at once, each holding its connection until all have started; the clients they got. */
async function concurrent(count: number): Promise<DirectoryClient[]> {
  const clients: DirectoryClient[] = [];
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const all = Array.from({ length: count }, () => pool.use(async (client) => {
    clients.push(client);
    if (clients.length === count) release();
    await gate;
    await client.search(slapd.suffix, { scope: 'base', attributes: ['1.1'] });
  }));
  await Promise.all(all);
  return clients;
}

describe('ClientPool', () => {
  it('spreads C concurrent operations over C distinct connections', async () => {
    expect(new Set(await concurrent(4)).size).toBe(4);
  });

  it('puts a fifth concurrent operation on a connection already in use, and keeps all four busy', async () => {
    const clients = await concurrent(8);
    const perClient = [...new Set(clients)].map((c) => clients.filter((x) => x === c).length);
    expect(perClient).toEqual([2, 2, 2, 2]);
  });

  it('replaces a connection that is no longer bound (closed meanwhile) with a fresh, bound one', async () => {
    const first = await concurrent(4);
    const closed = first[0] as unknown as { unbind(): Promise<void>; readonly isBound: boolean };
    await closed.unbind();
    expect(closed.isBound).toBe(false);
    const next: DirectoryClient[] = [];
    for (let i = 0; i < 8; i++) await pool.use(async (client) => { next.push(client); await client.search(slapd.suffix, { scope: 'base', attributes: ['1.1'] }); });
    expect(next.includes(first[0] as DirectoryClient)).toBe(false);
    expect(new Set(next).size).toBe(4);
    expect(next.every((client) => (client as unknown as { readonly isBound: boolean }).isBound)).toBe(true);
  });

  it('does not queue behind a slow operation: later operations go to idle connections', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let slow: DirectoryClient | undefined;
    const held = pool.use(async (client) => { slow = client; await gate; });
    const later: DirectoryClient[] = [];
    for (let i = 0; i < 8; i++) await pool.use(async (client) => { later.push(client); });
    release();
    await held;
    expect(slow).toBeDefined();
    expect(later.includes(slow as DirectoryClient)).toBe(false);
    expect(new Set(later).size).toBe(3);
  });
});
