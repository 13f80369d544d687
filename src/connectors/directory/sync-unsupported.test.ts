import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLdap, type FakeLdap } from '../../../test/support/fake-ldap.js';
import type { DirectorySourceConnection } from '../../config/types.js';
import { DirectoryReader } from '../../sources/directory/search.js';
import { SYNC_OIDS } from './sync-controls.js';

/**
 * `changes: syncrepl` against a database without the syncprov overlay: slapd
 * refuses the critical sync request control with unavailableCriticalExtension
 * (12). Every pass fails, so the error must say what to do about it.
 */
describe('a sync search the server does not support', () => {
  let ldap: FakeLdap | undefined;
  afterEach(async () => {
    await ldap?.close();
  });

  it('says the server has no Content Synchronization: load syncprov, or use changes: timestamp', async () => {
    ldap = await startFakeLdap(() => ({ status: 12 }));
    const connection: DirectorySourceConnection = {
      url: ldap.url, bindDN: 'cn=reader', password: 'secret', startTLS: false,
      timeoutMs: 5000, connectTimeoutMs: 5000, pageSize: 10, base: 'dc=example,dc=com',
    };
    const reader = new DirectoryReader('corp', connection, '/tmp');
    try {
      const failure = await reader.sync('(objectClass=person)', ['uid'], undefined).then(() => undefined, (e: unknown) => e);
      expect(ldap.searches[0]?.controls).toContain(SYNC_OIDS.request);
      expect(failure).toMatchObject({ code: 'source.unavailable', retryable: false, details: { resultCode: 12 } });
      const message = (failure as Error).message;
      expect(message).toContain('sync on source corp: the server does not support Content Synchronization (RFC 4533): '
        + 'load the syncprov overlay on this database, or use `changes: timestamp`');
      expect(message).toMatch(/\(LDAP 12: .*\)$/);
      expect(message).not.toContain('refused the request');
      expect(message).not.toContain('secret');
    } finally {
      await reader.close();
    }
  });
});
