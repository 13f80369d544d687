import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError, type RosterError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../ldap/index.js';
import { adConnectionSchema, adConnectorFactory } from '../ad/index.js';
import { DirectoryReader } from '../../sources/directory/search.js';
import type { Connector } from '../types.js';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { startLdapMitm, type StartTlsAnswer } from '../../../test/support/ldap-mitm.js';

/**
 * StartTLS stripping: a man in the middle in front of a real slapd answers
 * the StartTLS request itself (an LDAP error, a closed connection, or
 * "success" and then no TLS) and forwards everything else. Had Roster gone
 * on, its simple bind would have reached slapd in clear, and slapd (which
 * does not require TLS here) would have accepted it. The proxy records what
 * Roster sent: only the StartTLS request, never a bind.
 */
const PASSWORD = 'Distinctive-Strip-Pa55-review21';
/** The BindRequest tag (APPLICATION 0, constructed) right after a message id: `02 01 <id> 60`. */
const PLAIN_BIND = /\x02\x01[\s\S]\x60/;
let slapd: RunningSlapd;
const lines: string[] = [];
const log = createLogger('debug', (line) => { lines.push(line); });

beforeAll(async () => { slapd = await startSlapd({ randomPort: true, tls: true }); }, 30_000);
afterAll(async () => { await slapd?.stop(); });

const ATTACKS: readonly [string, StartTlsAnswer, RegExp][] = [
  ['protocolError (2)', { resultCode: 2, diagnostic: 'unsupported extended operation' }, /refused StartTLS \(LDAP 2/],
  ['unavailable (52)', { resultCode: 52, diagnostic: 'TLS not configured' }, /refused StartTLS \(LDAP 52/],
  ['a closed connection', 'close', /cannot reach the directory \(StartTLS did not complete \(Connection closed.*\); the bind was not sent\)/],
  ['success, then plain LDAP (no TLS)', 'success-then-plain', /StartTLS did not complete \(.*TLS.*\); the bind was not sent\); the server answered StartTLS but did not complete a TLS handshake/],
];

function ldapTarget(url: string): Connector {
  const s = slapd.suffix;
  return ldapConnectorFactory.create(ldapConnectionSchema.parse({
    url, startTLS: true, bindDN: slapd.bindDN, password: PASSWORD, poolSize: 1, timeoutMs: 2_000, connectTimeoutMs: 1_000,
    users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid' },
  }), { targetId: 'corp-ldap', baseDir: '.', log });
}

function adTarget(url: string): Connector {
  const s = slapd.suffix;
  return adConnectorFactory.create(adConnectionSchema.parse({
    url, startTLS: true, bindDN: slapd.bindDN, password: PASSWORD, poolSize: 1, timeoutMs: 2_000, connectTimeoutMs: 1_000,
    base: s, users: { dn: `CN={cn},${s}` },
  }), { targetId: 'corp-ad', baseDir: '.', log });
}

async function failure(promise: Promise<unknown>): Promise<RosterError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'the operation should have failed').toBeInstanceOf(Error);
  return error as RosterError;
}

describe('a man in the middle strips StartTLS (review 21)', () => {
  for (const [name, answer, said] of ATTACKS) {
    it(`${name}: the ldap target, the ad target and a directory source fail clearly, and no bind crosses the wire`, async () => {
      const mitm = await startLdapMitm(Number(new URL(slapd.url).port), answer);
      try {
        const errors: RosterError[] = [];
        for (const connector of [ldapTarget(mitm.url), adTarget(mitm.url)]) {
          try {
            errors.push(await failure(connector.check()));
          } finally {
            await connector.close();
          }
        }
        const reader = new DirectoryReader('corp-source', {
          url: mitm.url, startTLS: true, bindDN: slapd.bindDN, password: PASSWORD, timeoutMs: 2_000, connectTimeoutMs: 1_000, pageSize: 100, base: slapd.suffix,
        }, '.');
        try {
          errors.push(await failure(reader.rootDse()));
        } finally {
          await reader.close();
        }
        for (const error of errors) {
          expect(isRosterError(error), String(error)).toBe(true);
          expect(error.message).toMatch(said);
          expect(error.message).not.toContain(PASSWORD);
          // Not the hint for ldaps:// to a plain port: StartTLS is what the admin already uses.
          expect(error.message).not.toMatch(/use ldap:\/\//);
        }
        // A refusal is a setting to fix, not a moment to wait out.
        if (typeof answer === 'object') for (const error of errors) expect(error.retryable, error.message).toBe(false);
        expect(mitm.sent.length).toBeGreaterThanOrEqual(3);
        for (const connection of mitm.sent) {
          const text = Buffer.concat(connection).toString('latin1');
          expect(text).toContain('1.3.6.1.4.1.1466.20037');
          expect(text).not.toMatch(PLAIN_BIND);
          expect(text).not.toContain(PASSWORD);
          expect(text).not.toContain(slapd.bindDN);
        }
        expect(lines.join('\n')).not.toContain(PASSWORD);
      } finally {
        await mitm.close();
      }
    });
  }
});
