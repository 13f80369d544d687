import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError, type RosterError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../ldap/index.js';
import type { Connector } from '../types.js';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { makeServerCertificate, type ServerCertificateOptions } from '../../../test/support/tls.js';
import { startLdapMitm, type LdapMitm } from '../../../test/support/ldap-mitm.js';

/**
 * A pen-tester's certificates against a real slapd, over ldaps:// and over
 * StartTLS: one no trusted CA signed, an expired one, one for another host
 * name (and the reverse), a self-signed one. Each is refused by default,
 * the message says what is wrong and which setting fixes it, nothing of the
 * bind (DN or password) crosses the wire in clear, and the password is in
 * no message and no log line.
 */
const PASSWORD = 'Distinctive-Cert-Pa55-review21';
let slapd: RunningSlapd;
/** Between the client and slapd's ldap:// port, recording what the client sends (StartTLS cases). */
let mitm: LdapMitm;
let tlsDir: string;
const lines: string[] = [];
const log = createLogger('debug', (line) => { lines.push(line); });

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true, tls: true });
  tlsDir = join(slapd.dir, 'tls');
  mitm = await startLdapMitm(Number(new URL(slapd.url).port));
}, 30_000);
afterAll(async () => {
  await mitm?.close();
  await slapd?.stop();
});

/** slapd presents this certificate from now on. */
async function present(certificate: ServerCertificateOptions): Promise<void> {
  makeServerCertificate(tlsDir, tlsDir, certificate);
  await slapd.restart();
}

function connector(url: string, connection: Record<string, unknown>): Connector {
  const s = slapd.suffix;
  return ldapConnectorFactory.create(ldapConnectionSchema.parse({
    url, bindDN: slapd.bindDN, password: PASSWORD, poolSize: 1, timeoutMs: 3_000, connectTimeoutMs: 2_000,
    users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid' }, ...connection,
  }), { targetId: 'corp-ldap', baseDir: tlsDir, log });
}

/** The error of `check` over ldaps:// and over StartTLS (through the recording proxy), with the same `connection`. */
async function refusals(connection: Record<string, unknown>, host = '127.0.0.1'): Promise<RosterError[]> {
  const errors: RosterError[] = [];
  for (const [url, startTLS] of [[slapd.ldapsUrl ?? '', false], [mitm.url, true]] as const) {
    const c = connector(url.replace('127.0.0.1', host), { ...connection, startTLS });
    try {
      errors.push(await c.check().then(() => { throw new Error(`check over ${url} succeeded`); }, (e: unknown) => e as RosterError));
    } finally {
      await c.close();
    }
  }
  return errors;
}

function expectRefused(errors: readonly RosterError[], what: RegExp, fix: RegExp): void {
  for (const error of errors) {
    expect(isRosterError(error, 'target.unavailable'), error.message).toBe(true);
    expect(error.retryable, error.message).toBe(false);
    expect(error.targetWide, error.message).toBe(true);
    expect(error.message).toMatch(what);
    expect(error.message).toMatch(fix);
    expect(error.message).not.toContain(PASSWORD);
  }
  // Nothing of the bind in clear: the StartTLS connection sent only the StartTLS request before TLS.
  const wire = mitm.wire().toString('latin1');
  expect(wire).not.toContain(PASSWORD);
  expect(wire).not.toContain(slapd.bindDN);
  expect(lines.join('\n')).not.toContain(PASSWORD);
}

describe('certificates a client must refuse (review 21)', () => {
  it('one signed by a CA that is not trusted (no tls.ca): names tls.ca', async () => {
    await present({ commonName: '127.0.0.1', altNames: ['IP:127.0.0.1', 'DNS:localhost'] });
    expectRefused(await refusals({}), /not signed by a CA Roster trusts|unable to verify|self-signed/i, /connection\.tls\.ca/);
  });

  it('an expired one, even with the right CA: says it expired, and no setting but renewing it', async () => {
    await present({ commonName: '127.0.0.1', altNames: ['IP:127.0.0.1', 'DNS:localhost'], expired: true });
    expectRefused(await refusals({ tls: { ca: 'ca.pem' } }), /certificate has expired/, /renew/);
  });

  it('one for ldap.example.com only, reached by 127.0.0.1: names tls.servername; with it set, the connection works', async () => {
    await present({ commonName: 'ldap.example.com', altNames: ['DNS:ldap.example.com'] });
    expectRefused(await refusals({ tls: { ca: 'ca.pem' } }), /does not match|altnames/i, /connection\.tls\.servername/);
    const c = connector(slapd.ldapsUrl ?? '', { password: slapd.password, tls: { ca: 'ca.pem', servername: 'ldap.example.com' } });
    try {
      await c.check();
    } finally {
      await c.close();
    }
  });

  it('one for 127.0.0.1 only (an IP address), reached by the name localhost', async () => {
    await present({ commonName: '127.0.0.1', altNames: ['IP:127.0.0.1'] });
    expectRefused(await refusals({ tls: { ca: 'ca.pem' } }, 'localhost'), /does not match|altnames/i, /connection\.tls\.servername/);
  });

  it('one with the host in its common name only (no subjectAltName)', async () => {
    await present({ commonName: '127.0.0.1', altNames: [] });
    expectRefused(await refusals({ tls: { ca: 'ca.pem' } }), /does not match|altnames/i, /connection\.tls\.servername/);
  });

  it('a self-signed one: names tls.ca (the certificate itself)', async () => {
    await present({ commonName: '127.0.0.1', altNames: ['IP:127.0.0.1'], selfSigned: true });
    expectRefused(await refusals({ tls: { ca: 'ca.pem' } }), /self-signed/, /connection\.tls\.ca/);
  });
});

describe('the escape hatch (review 21)', () => {
  it('tls.rejectUnauthorized: false connects to a self-signed certificate, and says so once, naming the target', async () => {
    await present({ commonName: '127.0.0.1', altNames: ['IP:127.0.0.1'], selfSigned: true });
    const before = lines.length;
    const c = connector(slapd.ldapsUrl ?? '', { password: slapd.password, tls: { rejectUnauthorized: false } });
    try {
      await c.check();
      await c.check();
    } finally {
      await c.close();
    }
    const warnings = lines.slice(before).map((line) => JSON.parse(line) as { level: string; message: string; target?: string })
      .filter((line) => /rejectUnauthorized is false/.test(line.message));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', target: 'corp-ldap' });
  });
});
