import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError, type RosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../ldap/index.js';

/**
 * `ldaps://` pointed at a port that speaks plain LDAP: a real slapd drops the
 * TLS handshake, and the error said only "cannot reach the directory", which
 * reads like a server that is down. It now says what is likely wrong.
 */
describe('ldaps:// to a plain LDAP port', () => {
  let slapd: RunningSlapd;
  beforeAll(async () => { slapd = await startSlapd({ randomPort: true }); });
  afterAll(async () => { await slapd?.stop(); });

  it('fails as unavailable with a hint to use ldap:// or the LDAPS port', async () => {
    const s = slapd.suffix;
    const connector = ldapConnectorFactory.create(ldapConnectionSchema.parse({
      url: slapd.url.replace(/^ldap:/, 'ldaps:'), bindDN: slapd.bindDN, password: slapd.password, timeoutMs: 3_000, connectTimeoutMs: 2_000, poolSize: 1,
      users: { base: `ou=people,${s}`, dn: `uid={uid},ou=people,${s}`, key: 'uid' },
    }), { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
    try {
      const failure = await connector.check().then(() => new Error('check succeeded'), (e: unknown) => e as RosterError);
      expect(isRosterError(failure, 'target.unavailable'), failure.message).toBe(true);
      expect(failure.message).toMatch(/cannot reach the directory \(.*TLS.*\); the server did not complete a TLS handshake: if this port speaks plain LDAP \(389\), use ldap:\/\/ \(with startTLS: true\) or the directory's LDAPS port \(636\)$/);
      expect(failure.message).not.toContain(slapd.password);
    } finally {
      await connector.close();
    }
  });
});
