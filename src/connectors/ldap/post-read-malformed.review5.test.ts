import { describe, expect, it } from 'vitest';
import { BerReader } from 'ldapts';
import { parsePostReadValue, PostReadControl } from '../directory/post-read.js';

/**
 * ldapts parses response controls inside its message parser; an exception
 * there rejects the request's promise (MessageParser 'error' with the message
 * id) although the server did the add. The control is sent non-critical so
 * that a create never depends on it: an answer that does not parse must leave
 * `entry` undefined (the caller reads the entry back), not throw.
 */
describe('Post-Read control: a malformed answer (review5)', () => {
  const malformed: Record<string, number[]> = {
    'an OCTET STRING where the SearchResultEntry belongs': [0x04, 0x00],
    'a SET length running past the end': [0x64, 0x0a, 0x04, 0x00, 0x30, 0x06, 0x30, 0x04, 0x04, 0x00, 0x31, 0x09],
  };
  for (const [name, bytes] of Object.entries(malformed)) {
    it(`${name}: no entry, no exception`, { timeout: 120_000 }, () => {
      expect(() => parsePostReadValue(Buffer.from(bytes))).not.toThrow();
      const control = new PostReadControl(['entryUUID']);
      expect(() => control.parse(new BerReader(Buffer.from(bytes)))).not.toThrow();
      expect(control.entry).toBeUndefined();
    });
  }
});
