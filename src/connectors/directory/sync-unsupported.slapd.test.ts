import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { DirectoryReader } from '../../sources/directory/search.js';

/** A real slapd without the syncprov overlay: what a `changes: syncrepl` pass says. */
const fixture = useSlapd();

describe('syncrepl against slapd without syncprov (real slapd)', () => {
  it('fails the pass saying Content Synchronization is missing and what to do', async () => {
    const { url, bindDN, password, suffix } = fixture.slapd;
    const reader = new DirectoryReader('corp', {
      url, bindDN, password, startTLS: false, timeoutMs: 5000, connectTimeoutMs: 5000, pageSize: 100, base: suffix,
    }, '/tmp');
    try {
      const failure = await reader.sync('(objectClass=*)', ['uid'], undefined).then(() => undefined, (e: unknown) => e);
      expect(failure).toMatchObject({ code: 'source.unavailable', details: { resultCode: 12 } });
      expect((failure as Error).message).toMatch(
        /^sync on source corp: the server does not support Content Synchronization \(RFC 4533\): load the syncprov overlay on this database, or use `changes: timestamp` \(LDAP 12: .+\)$/,
      );
    } finally {
      await reader.close();
    }
  });
});
