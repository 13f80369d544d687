import { describe, expect, it } from 'vitest';
import type { Identity, TargetAccount } from '../core/types.js';
import { correlate, type MatchRule } from './correlate.js';

const identity = (id: string, attributes: Record<string, string>): Identity => ({
  id, sourceId: 'hr', attributes, state: 'active', version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
});
const account = (accountId: string, attributes: Record<string, unknown>): TargetAccount => ({ accountId, attributes, entitlements: [], enabled: true });

describe('correlate: Unicode normal forms (review4)', () => {
  // "José.García" as HR sends it (NFC: é = U+00E9) and as a directory filled from another system holds it (NFD: e + U+0301).
  const nfc = 'José.García@example.com'.normalize('NFC');
  const nfd = 'José.García@example.com'.normalize('NFD');

  it('the two forms are different strings of the same text', () => {
    expect(nfc).not.toBe(nfd);
    expect(nfc.normalize('NFC')).toBe(nfd.normalize('NFC'));
  });

  // 'exact' is documented as "trimmed only"; the default (caseInsensitive) promises the same text matches.
  for (const normalise of ['caseInsensitive'] as const) {
    it(`links an account whose value is the NFD form of the person's NFC value (normalise: ${normalise})`, () => {
      const rules: MatchRule[] = [{ account: 'mail', identity: 'email', normalise }];
      const result = correlate({
        identities: [identity('E1', { email: nfc })], links: [], rules,
        accounts: [account('jose.garcia', { mail: nfd })],
      });
      expect(result.verdicts[0]).toMatchObject({ kind: 'matched', identityId: 'E1' });
    });
  }
});
