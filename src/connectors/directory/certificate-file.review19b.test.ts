import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../ldap/index.js';
import { makeTestCertificates } from '../../../test/support/tls.js';
import { tlsOptions } from './config.js';

/**
 * A `tls.ca` that holds no certificate node:tls can read is no error to
 * node:tls: it trusts nothing, and every connection failed with
 * "self-signed certificate in certificate chain", which sends the admin to
 * the directory's certificate instead of the file (an empty file trusted
 * the public CAs instead). It is a configuration error naming the file.
 */
let dir: string;
let pem: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'roster-ca-review19b-'));
  makeTestCertificates(dir, 'roster-ca-review19b');
  pem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  writeFileSync(join(dir, 'empty.pem'), '');
  writeFileSync(join(dir, 'key-by-mistake.pem'), readFileSync(join(dir, 'server.key')));
  writeFileSync(join(dir, 'crlf.pem'), pem.replace(/\n/g, '\r\n'));
});
afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function create(ca: string) {
  const s = 'dc=example,dc=com';
  const config = ldapConnectionSchema.parse({
    url: 'ldaps://ldap.example.com', bindDN: `cn=admin,${s}`, password: 'p', tls: { ca },
    users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid' },
  });
  return ldapConnectorFactory.create(config, { targetId: 'corp-ldap', baseDir: dir, log: silentLogger });
}

function thrown(action: () => unknown): unknown {
  try {
    const made = action() as { close?: () => Promise<void> } | undefined;
    void made?.close?.();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('tls.ca that holds no readable certificate (review 19b)', () => {
  it('a file without a certificate (empty, a key) is a config error naming the file', () => {
    for (const file of ['empty.pem', 'key-by-mistake.pem']) {
      const error = thrown(() => create(file));
      expect(isRosterError(error, 'config.invalid'), String(error)).toBe(true);
      expect((error as Error).message).toContain(join(dir, file));
      expect((error as Error).message).toMatch(/no PEM certificate/);
    }
  });

  it('PEM text whose line breaks were lost (an environment variable with literal \\n) is a config error', () => {
    const error = thrown(() => create(pem.replace(/\n/g, '\\n')));
    expect(isRosterError(error, 'config.invalid'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/the PEM text holds a certificate that cannot be read/);
  });

  it('a real CA, as a file (CRLF too) or as text, is taken as it is', () => {
    expect(thrown(() => create('ca.pem'))).toBeUndefined();
    expect(thrown(() => create('crlf.pem'))).toBeUndefined();
    expect(thrown(() => create(pem))).toBeUndefined();
    expect(tlsOptions({ ca: pem, rejectUnauthorized: true }, dir)?.ca).toBe(pem);
  });
});
