import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { BerReader, BerWriter } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameLength } from '../../../test/support/ber-frames.js';
import { ClientPool } from './pool.js';

/**
 * StartTLS to an IPv6 address (`ldap://[::1]:port`): the certificate names
 * the address (IP:::1). The pool gave node:tls the URL's hostname with its
 * brackets, `[::1]`, which is no IP address to it, so every such
 * certificate was refused ("Host: [::1]. is not in the cert's altnames")
 * while the same address over ldaps:// was accepted.
 */
let dir: string;
let server: Server;
let url: string;
let ca: string;
const sockets = new Set<Socket>();

function reply(messageId: number, op: number): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(messageId);
  w.startSequence(op);
  w.writeEnumeration(0);
  w.writeString('');
  w.writeString('');
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

/** Answers each whole LDAP message: bind and search with success, unbind by closing. */
function serve(stream: Socket | TLSSocket): void {
  let pending = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (let length = frameLength(pending); length !== undefined && pending.length >= length; length = frameLength(pending)) {
      const reader = new BerReader(pending.subarray(0, length));
      pending = pending.subarray(length);
      reader.readSequence();
      const id = reader.readInt() ?? 0;
      const op = reader.peek();
      if (op === 0x42) stream.end();
      else stream.write(reply(id, op === 0x60 ? 0x61 : 0x65));
    }
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'roster-ipv6-review19b-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => expect(spawnSync('openssl', args, { encoding: 'utf8' }).status).toBe(0);
  writeFileSync(at('ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:::1\n');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '30', '-subj', '/CN=IPv6 Test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=ipv6');
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '30', '-extfile', at('ext'));
  ca = readFileSync(at('ca.pem'), 'utf8');
  const key = readFileSync(at('server.key')), cert = readFileSync(at('server.pem'));
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // The first message is the StartTLS request: success, then TLS on the same connection.
    socket.once('data', (request) => {
      socket.write(Buffer.from([0x30, 0x0c, 0x02, 0x01, request[4] ?? 0, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]), () => {
        const secure = new TLSSocket(socket, { isServer: true, key, cert });
        secure.on('error', () => undefined);
        serve(secure);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
  const address = server.address();
  url = `ldap://[::1]:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server?.close(resolve));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('StartTLS to an IPv6 address (review 19b)', () => {
  it('checks the certificate against the address, and accepts one that names it', async () => {
    const pool = new ClientPool({
      url, bindDN: 'cn=admin,dc=example,dc=com', password: 'ipv6-Secret-19b', startTLS: true, tls: { ca }, size: 1, timeoutMs: 2_000, connectTimeoutMs: 2_000,
    });
    try {
      const result = await pool.use((c) => c.search('dc=example,dc=com', { scope: 'base' }));
      expect(result.searchEntries).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
