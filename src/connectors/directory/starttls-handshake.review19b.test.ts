import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError, type RosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../ldap/index.js';

/**
 * A server (or a middlebox on the path) that answers the StartTLS request
 * with success and then never sends its half of the TLS handshake. ldapts
 * times the request, not the handshake after it: without a limit of its own
 * the connection, and the operation waiting for it, hung for good.
 */
const PASSWORD = 'handshake-Secret-19';
let server: Server;
let url: string;
const sockets = new Set<Socket>();
/** Everything the clients sent, as text (the password must never be in it). */
let received = '';

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (request) => {
      received += request.toString('latin1');
      // ExtendedResponse (APPLICATION 24), success, to the request's message id (a one-byte INTEGER at offset 4): then silence.
      socket.write(Buffer.from([0x30, 0x0c, 0x02, 0x01, request[4] ?? 0, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]));
      socket.on('data', (more) => { received += more.toString('latin1'); });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `ldap://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

describe('StartTLS accepted, then no TLS handshake (review 19b)', () => {
  it('fails after about connectTimeoutMs as a retryable unavailability, sends no password, and leaves no connection open', async () => {
    const s = 'dc=example,dc=com';
    const connector = ldapConnectorFactory.create(ldapConnectionSchema.parse({
      url, startTLS: true, bindDN: `cn=admin,${s}`, password: PASSWORD, timeoutMs: 5_000, connectTimeoutMs: 400, poolSize: 1,
      users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid' },
    }), { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
    try {
      const started = performance.now();
      const error = await Promise.race([
        connector.check().then(() => new Error('check succeeded'), (e: unknown) => e as RosterError),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 3 s'), 3_000)),
      ]);
      expect(error).toBeInstanceOf(Error);
      const failure = error as RosterError;
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(isRosterError(failure, 'target.unavailable'), failure.message).toBe(true);
      expect(failure.retryable).toBe(true);
      expect(failure.message).toMatch(/TLS handshake after StartTLS/);
    } finally {
      await connector.close();
    }
    // Every connection the connector opened is closed again (none left half-upgraded).
    for (let i = 0; i < 50 && sockets.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sockets.size).toBe(0);
    expect(received).not.toContain(PASSWORD);
  });
});
