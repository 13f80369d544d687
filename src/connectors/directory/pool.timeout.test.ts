import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { ClientPool, type DirectoryClient } from './pool.js';

/**
 * When the pool tries an operation once more: only after a transport failure
 * on a connection that was already open (closed by the server while idle),
 * never after a fresh connection failed or an operation timed out.
 */
let slapd: RunningSlapd;
let hung: Server;
let hungUrl: string;
let refusedUrl: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
  const port = await freePort();
  hung = createServer((socket) => { sockets.push(socket); });
  await new Promise<void>((resolve) => hung.listen(port, '127.0.0.1', () => resolve()));
  hungUrl = `ldap://127.0.0.1:${port}`;
  refusedUrl = `ldap://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hung.close(resolve));
  await slapd?.stop();
});

const poolFor = (url: string, timeoutMs = 5000): ClientPool => new ClientPool({
  url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, tls: undefined, size: 1, timeoutMs, connectTimeoutMs: timeoutMs,
});
const ping = (c: DirectoryClient): Promise<unknown> => c.search(slapd.suffix, { scope: 'base', attributes: ['1.1'] });

describe('ClientPool retries', () => {
  it('a server that accepts and never answers the bind: fails once, after about timeoutMs', async () => {
    const pool = poolFor(hungUrl, 400);
    try {
      const before = sockets.length;
      const started = Date.now();
      await expect(pool.use(ping)).rejects.toThrow(/timed out|timeout/i);
      expect(Date.now() - started).toBeLessThan(800);
      expect(sockets.length - before).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('a refused connection fails the operation (not tried on)', async () => {
    const pool = poolFor(refusedUrl);
    let attempts = 0;
    try {
      await expect(pool.use(async (c) => { attempts += 1; return ping(c); })).rejects.toThrow(/ECONNREFUSED/);
      expect(attempts).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('a server that closes each new connection at once: one connection, not a second', async () => {
    let accepted = 0;
    const port = await freePort();
    const closing = createServer((socket) => { accepted += 1; socket.destroy(); });
    await new Promise<void>((resolve) => closing.listen(port, '127.0.0.1', () => resolve()));
    const pool = poolFor(`ldap://127.0.0.1:${port}`);
    try {
      await expect(pool.use(ping)).rejects.toThrow(/closed|ECONNRESET|socket/i);
      expect(accepted).toBe(1);
    } finally {
      await pool.close();
      await new Promise((resolve) => closing.close(resolve));
    }
  });

  it('a transport failure on a fresh connection is not tried again; on one open before, once more on a fresh one', async () => {
    const pool = poolFor(slapd.url);
    try {
      let attempts = 0;
      const closed = (): Error => new Error('Connection closed before message response was received');
      await expect(pool.use(async () => { attempts += 1; throw closed(); })).rejects.toThrow(/closed/);
      expect(attempts).toBe(1);
      await pool.use(ping);
      attempts = 0;
      const clients: DirectoryClient[] = [];
      const result = await pool.use(async (c) => {
        attempts += 1;
        clients.push(c);
        if (attempts === 1) throw closed();
        return 'ok';
      });
      expect(result).toBe('ok');
      expect(attempts).toBe(2);
      expect(clients[0]).not.toBe(clients[1]);
    } finally {
      await pool.close();
    }
  });

  it('an operation that timed out on an open connection is not tried again', async () => {
    const pool = poolFor(slapd.url);
    try {
      await pool.use(ping);
      let attempts = 0;
      await expect(pool.use(async () => { attempts += 1; throw new Error('SearchRequest: Operation timed out'); })).rejects.toThrow(/timed out/);
      expect(attempts).toBe(1);
      await pool.use(ping);
    } finally {
      await pool.close();
    }
  });
});
