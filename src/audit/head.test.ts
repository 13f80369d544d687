import { describe, expect, it } from 'vitest';
import { isRosterError } from '../core/errors.js';
import { EMPTY_HEAD, asHead, formatHead, parseHead } from './head.js';

const HASH = 'ab'.repeat(32);

describe('formatHead / parseHead', () => {
  it('round-trip seq:hash, lower-casing the hash and trimming blanks', () => {
    expect(formatHead({ seq: 130, hash: HASH })).toBe(`130:${HASH}`);
    expect(parseHead(` 130:${HASH.toUpperCase()}\n`)).toEqual({ seq: 130, hash: HASH });
    expect(parseHead(formatHead(EMPTY_HEAD))).toEqual(EMPTY_HEAD);
  });

  it('refuses anything else with request.invalid', () => {
    for (const text of ['', '130', `130:${HASH.slice(1)}`, `-1:${HASH}`, `1.5:${HASH}`, `130:${HASH}x`, `x:${HASH}`]) {
      let error: unknown;
      try {
        parseHead(text);
      } catch (caught) {
        error = caught;
      }
      expect(isRosterError(error, 'request.invalid'), text).toBe(true);
    }
  });
});

describe('asHead', () => {
  it('accepts a stored head and rejects damaged ones', () => {
    expect(asHead({ seq: 3, hash: HASH })).toEqual({ seq: 3, hash: HASH });
    expect(asHead({ seq: 3, hash: HASH, extra: 1 })).toEqual({ seq: 3, hash: HASH });
    for (const value of [undefined, null, 'oops', {}, { seq: '3', hash: HASH }, { seq: -1, hash: HASH }, { seq: 1.5, hash: HASH }, { seq: 3, hash: 'xyz' }]) {
      expect(asHead(value)).toBeUndefined();
    }
  });
});

// chainStart (continue from the head when it was past the log, leaving a seq gap) is gone: an append now always
// continues from the log's last entry and records a head that disagrees as an audit.head_mismatch entry
// (mismatch.ts; head-mismatch.review8.test.ts), so the chain stays whole and the evidence is kept in it.
