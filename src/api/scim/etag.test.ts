import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import { assertIfMatch, conditionMatches, etagOf, parseEntityTags } from './etag.js';

describe('entity tags (RFC 7644 §3.14)', () => {
  it('writes weak tags', () => {
    expect(etagOf(7)).toBe('W/"7"');
  });

  it('reads *, weak and strong forms and lists', () => {
    expect(parseEntityTags(undefined)).toBeUndefined();
    expect(parseEntityTags('  ')).toBeUndefined();
    expect(parseEntityTags('*')).toEqual({ any: true });
    expect(parseEntityTags('W/"3"')).toEqual({ any: false, tags: ['3'] });
    expect(parseEntityTags('"3", W/"4" ,"5"')).toEqual({ any: false, tags: ['3', '4', '5'] });
    expect(parseEntityTags(['"1"', 'W/"2"'])).toEqual({ any: false, tags: ['1', '2'] });
  });

  it('matches on the version only', () => {
    const condition = parseEntityTags('W/"2", "9"');
    expect(condition && conditionMatches(condition, 9)).toBe(true);
    expect(condition && conditionMatches(condition, 3)).toBe(false);
    expect(conditionMatches({ any: true }, 123)).toBe(true);
  });

  it('never matches a malformed tag', () => {
    const condition = parseEntityTags('3');
    expect(condition).toEqual({ any: false, tags: [] });
    expect(conditionMatches(condition!, 3)).toBe(false);
    expect(conditionMatches(parseEntityTags('W/3') ?? { any: true }, 3)).toBe(false);
  });

  it('throws request.precondition_failed on a mismatch, nothing without a condition', () => {
    expect(() => assertIfMatch(undefined, 1)).not.toThrow();
    expect(() => assertIfMatch(parseEntityTags('W/"1"'), 1)).not.toThrow();
    try {
      assertIfMatch(parseEntityTags('W/"1"'), 2);
      expect.unreachable();
    } catch (error) {
      expect(isRosterError(error, 'request.precondition_failed')).toBe(true);
    }
  });
});
