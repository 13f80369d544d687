import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { ClientPool, type DirectoryClient } from './pool.js';

/**
 * A connection that dies under several operations at once: each of them is
 * "tried once more on a fresh one", and the retry of one must not close the
 * fresh connection another one's retry opened (or is using).
 */
let slapd: RunningSlapd;
beforeAll(async () => { slapd = await startSlapd({ randomPort: true }); });
afterAll(async () => { await slapd?.stop(); });

const poolOf = (size: number): ClientPool => new ClientPool({
  url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, tls: undefined, size, timeoutMs: 5000, connectTimeoutMs: 5000,
});
const socketOf = (client: DirectoryClient): Socket | undefined => (client as unknown as { socket?: Socket }).socket;
const ping = (c: DirectoryClient): Promise<unknown> => c.search(slapd.suffix, { scope: 'base', attributes: ['1.1'] });
/** Who the connection is bound as (Who am I? extended operation). */
const whoami = async (c: DirectoryClient): Promise<string> => String((await c.exop('1.3.6.1.4.1.4203.1.11.3')).value ?? '');

describe('ClientPool with connections that die', () => {
  it('an idle connection the server closed: operations started together all run, bound, on one fresh connection', async () => {
    const pool = poolOf(1);
    try {
      const first = await pool.use(async (c) => { await ping(c); return c; });
      socketOf(first)?.destroy(); // as a server's idle timeout does
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((first as unknown as { isBound: boolean }).isBound).toBe(false);
      const used: DirectoryClient[] = [];
      const results = await Promise.all([1, 2, 3].map(() => pool.use(async (c) => { used.push(c); return whoami(c); })));
      expect(results).toEqual(Array(3).fill(`dn:${slapd.bindDN}`));
      expect(new Set(used).size).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('a connection that breaks under operations in flight: each is retried once on a fresh connection and succeeds', async () => {
    const pool = poolOf(1);
    try {
      const first = await pool.use(async (c) => { await ping(c); return c; });
      let attempts = 0;
      const op = (): Promise<string> => pool.use(async (c) => {
        attempts += 1;
        if (c === first) socketOf(c)?.destroy();
        return whoami(c);
      });
      const results = await Promise.allSettled([op(), op(), op()]);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual(Array(3).fill(`dn:${slapd.bindDN}`));
      expect(attempts).toBe(6);
    } finally {
      await pool.close();
    }
  });

  it('closing the pool: later operations are refused, and no connection is handed out again', async () => {
    const pool = poolOf(2);
    await Promise.all([pool.use(ping), pool.use(ping)]);
    // Settled as they end (a handler from the start): the close may fail them, and that is theirs to report.
    const inFlight = Promise.allSettled([pool.use(ping), pool.use(ping)]);
    await pool.close();
    for (const outcome of await inFlight) {
      if (outcome.status === 'rejected') expect(String(outcome.reason)).toMatch(/closed/i);
    }
    await expect(pool.use(ping)).rejects.toThrow('the connection pool is closed');
    await expect(pool.use(ping)).rejects.toThrow('the connection pool is closed');
    await expect(pool.lease()).rejects.toThrow('the connection pool is closed');
  });
});
