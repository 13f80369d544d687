import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import { tlsOptions, tlsSchema, warnInsecureConnection } from './config.js';
import { ldapConnectorFactory } from '../ldap/index.js';
import { adConnectorFactory } from '../ad/index.js';
import { ldapConnectionSchema } from '../ldap/config.js';
import { adConnectionSchema } from '../ad/config.js';
import { makeTestCertificates } from '../../../test/support/tls.js';

const warnings = () => {
  const seen: string[] = [];
  return { seen, log: { warn: (m: string) => { seen.push(m); } } };
};

describe('TLS settings (security review 13)', () => {
  it('checks certificates unless rejectUnauthorized is set false in so many words', () => {
    expect(tlsSchema.parse({}).rejectUnauthorized).toBe(true);
    expect(tlsOptions(tlsSchema.parse({ servername: 'ldap' }), '/')?.rejectUnauthorized).toBe(true);
    // Substituted text: only "false" turns it off; anything else is refused, not read as false.
    expect(tlsSchema.parse({ rejectUnauthorized: 'false' }).rejectUnauthorized).toBe(false);
    for (const loose of ['', '0', 'no', 'off']) expect(tlsSchema.safeParse({ rejectUnauthorized: loose }).success).toBe(false);
  });

  it('warns when certificate checks are off, or the bind crosses the network unencrypted', () => {
    const off = warnings();
    warnInsecureConnection({ url: 'ldaps://dc.example.com', startTLS: false, tls: { rejectUnauthorized: false } }, off.log, 'ad');
    expect(off.seen.join('\n')).toMatch(/rejectUnauthorized is false/);
    const plain = warnings();
    warnInsecureConnection({ url: 'ldap://ldap.example.com:389', startTLS: false }, plain.log, 'corp');
    expect(plain.seen.join('\n')).toMatch(/not encrypted/);
    const fine = warnings();
    warnInsecureConnection({ url: 'ldap://ldap.example.com', startTLS: true, tls: { rejectUnauthorized: true } }, fine.log, 'corp');
    warnInsecureConnection({ url: 'ldap://127.0.0.1:3890', startTLS: false }, fine.log, 'corp');
    warnInsecureConnection({ url: 'ldaps://dc.example.com', startTLS: false }, fine.log, 'corp');
    expect(fine.seen).toEqual([]);
  });

  it('the ldap and ad factories give that warning on the target\'s log', () => {
    const seen: string[] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (m: string) => { seen.push(m); } };
    const config = ldapConnectionSchema.parse({
      url: 'ldaps://ldap.example.com', bindDN: 'cn=a', password: 'p', tls: { rejectUnauthorized: false },
      users: { base: 'ou=people,dc=example,dc=com', dn: 'uid={uid},ou=people,dc=example,dc=com', key: 'uid' },
    });
    void ldapConnectorFactory.create(config, { targetId: 'corp', baseDir: '/', log }).close();
    expect(seen.some((m) => /rejectUnauthorized is false/.test(m))).toBe(true);
    seen.length = 0;
    const ad = adConnectionSchema.parse({
      url: 'ldaps://dc.example.com', tls: { rejectUnauthorized: 'false' }, bindDN: 'cn=a', password: 'p', base: 'DC=example,DC=com', users: { dn: 'CN={cn},OU=People,DC=example,DC=com' },
    });
    void adConnectorFactory.create(ad, { targetId: 'ad', baseDir: '/', log }).close();
    expect(seen.some((m) => /rejectUnauthorized is false/.test(m))).toBe(true);
    expect(() => adConnectionSchema.parse({ url: 'ldap://dc.example.com', bindDN: 'cn=a', password: 'p', base: 'DC=example,DC=com', users: { dn: 'CN={cn},DC=example,DC=com' } })).toThrow(/encrypted/);
  });

  it('reads a CA file once, relative to the config; an unreadable one is a config error naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-ca-'));
    // A real CA certificate (ca.pem in dir): one that cannot be read is refused (certificate-file.review19b.test.ts).
    makeTestCertificates(dir, 'roster-ca-test');
    expect(String(tlsOptions({ ca: 'ca.pem', rejectUnauthorized: true }, dir)?.ca)).toContain('BEGIN CERTIFICATE');
    let thrown: unknown;
    try {
      tlsOptions({ ca: 'missing.pem', rejectUnauthorized: true }, dir);
    } catch (error) {
      thrown = error;
    }
    expect(isRosterError(thrown, 'config.invalid')).toBe(true);
    expect(String((thrown as Error).message)).toContain(join(dir, 'missing.pem'));
  });
});
