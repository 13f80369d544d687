import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError, type RosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../ldap/index.js';
import { tlsSchema } from './config.js';
import { makeTestCertificates } from '../../../test/support/tls.js';

/**
 * Roster leaves the TLS floor where Node puts it (TLS 1.2, Node's ciphers):
 * a server that speaks TLS 1.1 at most is refused, even with its CA
 * trusted, and `tls:` has no key that would lower the floor.
 */
let dir: string;
let server: Server;
let url: string;
const sockets = new Set<TLSSocket>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roster-tls-floor-'));
  makeTestCertificates(dir, '127.0.0.1');
  server = createServer({
    key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')),
    minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0',
  }, (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `ldaps://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server?.close(resolve));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the TLS floor (review 21)', () => {
  it('a server that speaks TLS 1.1 at most is refused over ldaps://', async () => {
    const s = 'dc=example,dc=com';
    const connector = ldapConnectorFactory.create(ldapConnectionSchema.parse({
      url, tls: { ca: 'ca.pem' }, bindDN: `cn=admin,${s}`, password: 'p', poolSize: 1, timeoutMs: 2_000, connectTimeoutMs: 2_000,
      users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid' },
    }), { targetId: 'corp-ldap', baseDir: dir, log: silentLogger });
    try {
      const error = await connector.check().then(() => new Error('check succeeded'), (e: unknown) => e as RosterError);
      expect(isRosterError(error, 'target.unavailable'), error.message).toBe(true);
      expect(error.message).toMatch(/protocol|version/i);
    } finally {
      await connector.close();
    }
  });

  it('tls: takes no key that would lower the protocol or the ciphers', () => {
    for (const key of ['minVersion', 'secureProtocol', 'ciphers', 'secureOptions', 'checkServerIdentity']) {
      expect(tlsSchema.safeParse({ [key]: 'TLSv1' }).success, key).toBe(false);
    }
  });
});
