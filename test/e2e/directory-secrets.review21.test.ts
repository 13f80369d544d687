import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerReader, BerWriter } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { frameLength } from '../support/ber-frames.js';

/**
 * The bind password of three failing directory targets, each with its own
 * distinctive password: a server that quotes the password in its refusal of
 * the bind, a certificate no trusted CA signed (ldaps:// to a real slapd),
 * and a server that never answers (a timeout). Neither password nor the CA
 * file's text is in what `roster status --check`, `roster sync` and
 * `roster audit` print (logs at debug level included), nor anywhere in the
 * store's file.
 */
const QUOTED = 'Distinctive-Quoted-Pa55-review21';
const UNTRUSTED = 'Distinctive-Untrusted-Pa55-review21';
const SILENT = 'Distinctive-Silent-Pa55-review21';
let slapd: RunningSlapd;
let dir: string;
let quoting: Server;
let silent: Server;
const sockets = new Set<Socket>();

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Answers every bind with invalidCredentials (49), quoting the request's DN and password in the diagnostic. */
function quote(socket: Socket): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (let length = frameLength(pending); length !== undefined && pending.length >= length; length = frameLength(pending)) {
      const reader = new BerReader(pending.subarray(0, length));
      pending = pending.subarray(length);
      reader.readSequence();
      const messageId = reader.readInt() ?? 0;
      if (reader.peek() !== 0x60) continue;
      reader.readSequence();
      reader.readInt();
      const name = reader.readString() ?? '';
      const password = reader.readString(0x80) ?? '';
      const w = new BerWriter();
      w.startSequence();
      w.writeInt(messageId);
      w.startSequence(0x61);
      w.writeEnumeration(49);
      w.writeString('');
      w.writeString(`invalid credentials for ${name}: password ${password} (base64 ${Buffer.from(password).toString('base64')})`);
      w.endSequence();
      w.endSequence();
      socket.write(w.buffer);
    }
  });
}

async function listen(handler: (socket: Socket) => void): Promise<Server> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    handler(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true, tls: true });
  quoting = await listen(quote);
  silent = await listen(() => undefined);
  dir = mkdtempSync(join(tmpdir(), 'roster-secrets-review21-'));
  writeFileSync(join(dir, 'employees.csv'), 'employeeId,givenName\nE1,Ada\n');
  for (const [id, secret] of [['quoting', QUOTED], ['untrusted', UNTRUSTED], ['silent', SILENT]]) writeFileSync(join(dir, `${id}.password`), secret ?? '');
  // A CA that did not sign slapd's certificate would be refused just the same; this is none at all (public CAs).
  const target = (id: string, url: string) => `
  - id: ${id}
    type: ldap
    connection:
      url: ${url}
      bindDN: cn=admin,${slapd.suffix}
      password: \${file:./${id}.password}
      timeoutMs: 500
      connectTimeoutMs: 500
      poolSize: 1
      users: { base: "${slapd.suffix}", dn: "uid={uid},ou=people,${slapd.suffix}", key: uid, defaults: { cn: "{uid}", sn: "{uid}" } }
    accountKey: uid
    attributes: { uid: identity.employeeId }
`;
  writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:${target('quoting', `ldap://127.0.0.1:${portOf(quoting)}`)}${target('untrusted', slapd.ldapsUrl ?? '')}${target('silent', `ldap://127.0.0.1:${portOf(silent)}`)}`);
}, 30_000);
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all([quoting, silent].map((server) => new Promise((resolve) => server?.close(resolve))));
  await slapd?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

async function roster(...args: string[]): Promise<string> {
  const captured = capturedIo({
    cwd: dir,
    env: { NO_COLOR: '1', ROSTER_LOG_LEVEL: 'debug' },
  });
  await runCli(['node', 'roster', ...args, '--config', join(dir, 'roster.yaml')], captured.io);
  return `${captured.stdout()}\n${captured.stderr()}`;
}

function expectNoSecret(text: string, where: string): void {
  for (const secret of [QUOTED, UNTRUSTED, SILENT, Buffer.from(QUOTED).toString('base64')]) expect(text, where).not.toContain(secret);
  expect(text, where).not.toContain('BEGIN CERTIFICATE');
}

describe('bind passwords of failing directory targets (review 21)', () => {
  it('are in no output of status --check, sync and audit, and nowhere in the store', async () => {
    const status = await roster('status', '--check');
    // Each target failed its check, and says why.
    expect(status).toMatch(/quoting[\s\S]*bind DN or password is wrong/);
    expect(status).toMatch(/untrusted[\s\S]*connection\.tls\.ca/);
    expect(status).toMatch(/silent[\s\S]*did not answer in time/);
    expectNoSecret(status, 'status --check');
    expectNoSecret(await roster('sync', '--yes'), 'sync');
    const audit = await roster('audit', 'export');
    expectNoSecret(audit, 'audit');
    for (const file of readdirSync(dir).filter((name) => name.startsWith('roster.db'))) {
      expectNoSecret(readFileSync(join(dir, file)).toString('latin1'), file);
    }
  });
});
