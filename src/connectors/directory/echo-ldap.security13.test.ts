import { createServer, type Server, type Socket } from 'node:net';
import { BerReader, BerWriter } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from './pool.js';
import { toDirectoryError } from './errors.js';
import { enableWithInitialPassword } from '../ad/initial-password.js';
import type { PasswordPolicy } from '../ad/password.js';
import { silentLogger } from '../../core/log.js';
import { frameLength } from '../../../test/support/ber-frames.js';

/**
 * A server that quotes the request in its diagnostic message (some servers and
 * proxies do): a refused bind quotes the password, a refused modify the
 * unicodePwd value, in clear and base64. What Roster makes of the error must
 * not carry either.
 */
const OP = { bind: 0x60, bindResponse: 0x61, unbind: 0x42, modify: 0x66, modifyResponse: 0x67 } as const;
const RIGHT = 'right-Pa55word';

interface Echo { url: string; seen: string[]; close(): Promise<void> }

function reply(messageId: number, op: number, code: number, diagnostic: string): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(messageId);
  w.startSequence(op);
  w.writeEnumeration(code);
  w.writeString('');
  w.writeString(diagnostic);
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

function handle(frame: Buffer, seen: string[]): Buffer | 'close' | undefined {
  const reader = new BerReader(frame);
  reader.readSequence();
  const messageId = reader.readInt() ?? 0;
  const op = reader.peek();
  if (op === OP.unbind) return 'close';
  if (op === OP.bind) {
    reader.readSequence();
    reader.readInt();
    const name = reader.readString() ?? '';
    const password = reader.readString(0x80) ?? '';
    seen.push(password);
    if (password === RIGHT) return reply(messageId, OP.bindResponse, 0, '');
    return reply(messageId, OP.bindResponse, 49, `invalid credentials for ${name} with password ${password}`);
  }
  if (op === OP.modify) {
    const quoted = [0, 1].map((offset) => /"([!-~]{16,128})"/.exec(frame.subarray(offset).toString('utf16le'))?.[1]).find((p) => p !== undefined) ?? '?';
    seen.push(quoted);
    const b64 = Buffer.from(`"${quoted}"`, 'utf16le').toString('base64');
    return reply(messageId, OP.modifyResponse, 50, `00002098: SecErr: refused unicodePwd "${quoted}" (${b64})`);
  }
  return undefined;
}

async function startEcho(): Promise<Echo> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (let length = frameLength(pending); length !== undefined && pending.length >= length; length = frameLength(pending)) {
        const out = handle(pending.subarray(0, length), seen);
        pending = pending.subarray(length);
        if (out === 'close') socket.end();
        else if (out !== undefined) socket.write(out);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `ldap://127.0.0.1:${address.port}`, seen,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const poolFor = (url: string, password: string) => new ClientPool({
  url, bindDN: 'cn=roster,dc=example,dc=com', password, startTLS: false, tls: undefined, size: 1, timeoutMs: 3000, connectTimeoutMs: 3000,
});

describe('a directory that quotes secrets in its diagnostics', () => {
  let echo: Echo;
  beforeAll(async () => { echo = await startEcho(); });
  afterAll(async () => { await echo.close(); });

  it('a refused bind: neither the thrown error nor the RosterError made of it carries the bind password', async () => {
    const secret = 'wr0ng-B1nd:Secret';
    const pool = poolFor(echo.url, secret);
    try {
      const thrown = await pool.use((c) => c.search('', { scope: 'base', filter: '(objectClass=*)' })).then(() => undefined, (e: unknown) => e);
      expect(echo.seen).toContain(secret);
      expect(thrown).toBeInstanceOf(Error);
      const error = toDirectoryError(thrown, 'corp', 'check');
      expect(error.details).toEqual({ resultCode: 49 });
      expect(error.message).toContain('invalid credentials for cn=roster');
      expect(`${String(thrown)} ${error.message} ${JSON.stringify(error)}`).not.toContain(secret);
      expect(error.message).toContain('[secret bind password]');
    } finally {
      await pool.close();
    }
  });

  it('a refused enable with an initial password: the password is in no error text, clear or base64', async () => {
    const pool = poolFor(echo.url, RIGHT);
    const policy = { length: async () => 20 } as unknown as PasswordPolicy;
    try {
      const thrown = await enableWithInitialPassword({
        pool, policy, log: silentLogger, targetId: 'ad', dn: 'CN=x,DC=example,DC=com', userAccountControl: 512, avoid: [],
      }).then(() => undefined, (e: unknown) => e);
      const password = echo.seen.at(-1) ?? '';
      expect(password).toHaveLength(20);
      const error = toDirectoryError(thrown, 'ad', 'enable');
      expect(error.details).toEqual({ resultCode: 50 });
      const b64 = Buffer.from(`"${password}"`, 'utf16le').toString('base64');
      for (const text of [String(thrown), error.message]) {
        expect(text).not.toContain(password);
        expect(text).not.toContain(b64);
        expect(text).toContain('[secret initial password]');
      }
    } finally {
      await pool.close();
    }
  });
});
