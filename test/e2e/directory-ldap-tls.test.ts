import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError, type RosterError } from '../../src/core/errors.js';
import { openEngine } from '../../src/engine/index.js';
import { silentLogger } from '../../src/core/log.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../../src/connectors/ldap/index.js';
import type { Connector } from '../../src/connectors/types.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';
import { makeTestCertificates } from '../support/tls.js';

// One slapd that refuses everything but StartTLS on a connection without TLS (olcSecurity: tls=1):
// an operation that succeeds over ldap:// proves the connector did encrypt it.
let slapd: RunningSlapd;
let dir: string;
const connectors: Connector[] = [];

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true, tls: { require: true } });
  dir = mkdtempSync(join(tmpdir(), 'roster-ldap-tls-'));
  writeFileSync(join(dir, 'ca.pem'), slapd.ca ?? '');
  // A CA that did not sign the server's certificate.
  makeTestCertificates(join(dir, 'other'), 'other.example');
});
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await slapd?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function connect(connection: Record<string, unknown>): Connector {
  const s = slapd.suffix;
  const config = ldapConnectionSchema.parse({
    bindDN: slapd.bindDN,
    password: slapd.password,
    users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { email: 'mail' }, defaults: { cn: '{uid}', sn: '{uid}' } },
    disable: { strategy: 'move', ou: `ou=disabled,${s}` },
    ...connection,
  });
  const connector = ldapConnectorFactory.create(config, { targetId: 'corp-ldap', baseDir: dir, log: silentLogger });
  connectors.push(connector);
  return connector;
}

/** The entry as slapd holds it, read over ldaps:// with the test CA. */
async function stored(uid: string): Promise<Record<string, unknown> | undefined> {
  const client = new Client({ url: slapd.ldapsUrl ?? '', tlsOptions: { ca: slapd.ca } });
  try {
    await client.bind(slapd.bindDN, slapd.password);
    const { searchEntries } = await client.search(`ou=people,${slapd.suffix}`, { filter: `(uid=${uid})`, attributes: ['uid', 'mail'] });
    return searchEntries[0];
  } finally {
    await client.unbind();
  }
}

async function failure(promise: Promise<unknown>): Promise<RosterError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'the operation should have failed').toBeInstanceOf(Error);
  return error as RosterError;
}

describe('ldap connector over TLS against slapd', () => {
  it('works over ldaps:// with the CA given as PEM text', async () => {
    const connector = connect({ url: slapd.ldapsUrl, tls: { ca: slapd.ca } });
    await connector.check();
    const account = await connector.create({ attributes: { uid: 'tls.ldaps', email: 'tls.ldaps@example.com' }, enabled: true });
    expect(await connector.get(account.accountId)).toMatchObject({ attributes: { uid: 'tls.ldaps', email: 'tls.ldaps@example.com' } });
    expect(await stored('tls.ldaps')).toMatchObject({ uid: 'tls.ldaps', mail: 'tls.ldaps@example.com' });
  });

  it('works over StartTLS on the ldap:// port, with the CA given as a file next to the configuration', async () => {
    const connector = connect({ url: slapd.url, startTLS: true, tls: { ca: 'ca.pem' } });
    await connector.check();
    await connector.create({ attributes: { uid: 'tls.starttls' }, enabled: true });
    expect(await stored('tls.starttls')).toMatchObject({ uid: 'tls.starttls' });
  });

  it('says the directory wants encryption when ldap:// is used without StartTLS, and writes nothing', async () => {
    const connector = connect({ url: slapd.url });
    const error = await failure(connector.create({ attributes: { uid: 'tls.plain' }, enabled: true }));
    expect(isRosterError(error)).toBe(true);
    expect(error.message).toMatch(/encrypted connection/);
    expect(await stored('tls.plain')).toBeUndefined();
  });

  it('refuses a server certificate no configured CA signed, for good (not retried)', async () => {
    for (const connection of [
      { url: slapd.ldapsUrl },
      { url: slapd.ldapsUrl, tls: { ca: join(dir, 'other', 'ca.pem') } },
      { url: slapd.url, startTLS: true, tls: { ca: join(dir, 'other', 'ca.pem') } },
    ]) {
      const error = await failure(connect(connection).check());
      expect(isRosterError(error, 'target.unavailable'), `${JSON.stringify(connection)}: ${error.message}`).toBe(true);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/certificate/i);
    }
  });

  it('checks the certificate against the expected name (servername)', async () => {
    const error = await failure(connect({ url: slapd.ldapsUrl, tls: { ca: slapd.ca, servername: 'ldap.elsewhere.example' } }).check());
    expect(isRosterError(error, 'target.unavailable')).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/ldap\.elsewhere\.example|altnames|certificate/i);
  });

  it('a wrong password is a clear, final error, and the password is not in it', async () => {
    const error = await failure(connect({ url: slapd.ldapsUrl, tls: { ca: slapd.ca }, password: 'not-the-Secret-42' }).check());
    expect(error.message).toMatch(/bind DN or password is wrong/);
    expect(error.message).not.toContain('not-the-Secret-42');
    expect(error.retryable).toBe(false);
  });
});

describe('ldap source over TLS against slapd', () => {
  it('reads people over StartTLS with the CA file, and a source without StartTLS reports why it cannot', async () => {
    const client = new Client({ url: slapd.ldapsUrl ?? '', tlsOptions: { ca: slapd.ca } });
    await client.bind(slapd.bindDN, slapd.password);
    for (const uid of ['src.a', 'src.b']) {
      await client.add(`uid=${uid},ou=people,${slapd.suffix}`, { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid, employeeNumber: `T-${uid}` });
    }
    await client.unbind();
    const yaml = (startTLS: boolean) => `
store: sqlite:./source-${startTLS}.db
sources:
  - id: corp
    type: ldap
    key: employeeNumber
    connection:
      url: ${slapd.url}
      startTLS: ${startTLS}
      tls: { ca: ./ca.pem }
      bindDN: ${slapd.bindDN}
      password: \${env:LDAP_PASSWORD}
      base: ou=people,${slapd.suffix}
    attributes: { familyName: sn }
targets:
  - { id: app, type: memory, accountKey: username, attributes: { username: identity.employeeNumber } }
`;
    writeFileSync(join(dir, 'tls.yaml'), yaml(true));
    writeFileSync(join(dir, 'plain.yaml'), yaml(false));
    const engine = await openEngine(join(dir, 'tls.yaml'), { env: { LDAP_PASSWORD: slapd.password }, log: silentLogger });
    try {
      expect(await engine.readSource('corp', 'test')).toMatchObject({ received: 2, created: 2 });
      expect((await engine.store.identities.get('T-src.a'))?.attributes).toMatchObject({ familyName: 'src.a' });
    } finally {
      await engine.close();
    }
    const plain = await openEngine(join(dir, 'plain.yaml'), { env: { LDAP_PASSWORD: slapd.password }, log: silentLogger });
    try {
      const error = await failure(plain.readSource('corp', 'test'));
      expect(error.message).toMatch(/encrypted connection/);
      expect(await plain.store.identities.get('T-src.a')).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('ldap connector timeouts', () => {
  let silent: Server;
  let port = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never says a word: an LDAP server that hangs.
    silent = createServer((socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('gives up on a server that does not answer after timeoutMs, as a retryable unavailability', async () => {
    const connector = connect({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 300, connectTimeoutMs: 300 });
    const started = performance.now();
    const error = await failure(connector.check());
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(isRosterError(error, 'target.unavailable'), error.message).toBe(true);
    expect(error.retryable).toBe(true);
  });

  it('gives up on a TLS handshake that never completes after connectTimeoutMs', async () => {
    const connector = connect({ url: `ldaps://127.0.0.1:${port}`, tls: { ca: slapd.ca }, timeoutMs: 300, connectTimeoutMs: 300 });
    const started = performance.now();
    const error = await failure(connector.check());
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(isRosterError(error, 'target.unavailable'), error.message).toBe(true);
  });
});
