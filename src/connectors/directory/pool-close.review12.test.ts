import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from './pool.js';

/** A server that accepts connections and never answers (a hung directory). */
let server: Server;
let port = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // It reads what comes (so it sees the client close), and answers nothing.
  server = createServer((socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); socket.resume(); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('ClientPool.close with a connection still binding to a silent server', () => {
  it('ends that connection at once instead of waiting for timeoutMs, and the operation waiting on it fails', async () => {
    const pool = new ClientPool({
      url: `ldap://127.0.0.1:${port}`, bindDN: 'cn=admin,dc=example,dc=com', password: 'not-logged', startTLS: false, tls: undefined,
      size: 1, timeoutMs: 30_000, connectTimeoutMs: 5_000,
    });
    const waiting = pool.use((client) => client.search('dc=example,dc=com', { scope: 'base' })).then(() => 'answered', (error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sockets.size).toBe(1);
    const started = Date.now();
    await pool.close();
    const outcome = await waiting;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome).toBeInstanceOf(Error);
    for (let i = 0; i < 10 && sockets.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sockets.size).toBe(0);
  });
});
