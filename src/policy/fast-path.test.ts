import { describe, expect, it } from 'vitest';
import { compileCondition, compileMapping } from '../cel/index.js';
import { isRosterError } from '../core/errors.js';
import { fastCondition, fastMapping } from './fast-path.js';

const outcome = (run: () => unknown): unknown => {
  try { return run(); } catch (error) { return isRosterError(error) ? `error:${error.code}` : error; }
};

describe('fast paths give the same answer as CEL', () => {
  const cases: Record<string, unknown>[] = [
    { department: 'Engineering' }, { department: 'Sales' }, { department: '' }, {}, { department: 5 }, { department: null },
  ];

  it('for equality conditions', () => {
    for (const source of [
      'identity.department == "Engineering"', 'identity.department != "Engineering"', ' identity.department=="" ',
      'identity.department in ["Engineering", "Sales"]', 'identity.department in [""]',
    ]) {
      const cel = compileCondition(source);
      const fast = fastCondition(cel);
      expect(fast).not.toBe(cel);
      for (const identity of cases) {
        expect(outcome(() => fast.evaluate({ identity })), `${source} on ${JSON.stringify(identity)}`)
          .toEqual(outcome(() => cel.evaluate({ identity })));
      }
    }
  });

  it('for attribute reads', () => {
    const cel = compileMapping('identity.department');
    const fast = fastMapping(cel);
    expect(fast).not.toBe(cel);
    for (const identity of cases) expect(outcome(() => fast.evaluate({ identity }))).toEqual(outcome(() => cel.evaluate({ identity })));
    expect(outcome(() => fast.evaluate({ identity: {} }))).toBe('error:expression.failed');
  });

  const people: Record<string, unknown>[] = [
    { givenName: 'Zoë', familyName: 'Müller', email: 'zoe.muller@example.com', title: 'Head of Sales' },
    { givenName: 'Ann', familyName: '', email: 'no-at-sign', title: 'Engineering Manager' },
    { givenName: 'Bo', familyName: 'Li', email: '@x', title: 'Engineer' },
    { givenName: 'Bo', familyName: 5, email: null, title: 7 },
    { givenName: 'Bo' },
    {},
  ];

  it('for concatenations and split(...)[0]', () => {
    for (const source of [
      'identity.givenName + " " + identity.familyName', 'identity.familyName + ", " + identity.givenName',
      'identity.email.split("@")[0]', '"x-" + identity.email.split("@")[0]', '"a" + "b"',
    ]) {
      const cel = compileMapping(source);
      const fast = fastMapping(cel);
      expect(fast, source).not.toBe(cel);
      for (const identity of people) {
        expect(outcome(() => fast.evaluate({ identity })), `${source} on ${JSON.stringify(identity)}`)
          .toEqual(outcome(() => cel.evaluate({ identity })));
      }
    }
  });

  it('for contains/startsWith/endsWith and comparisons joined by one kind of operator', () => {
    for (const source of [
      'identity.title.contains("Head") || identity.title.contains("Manager")',
      'identity.title.startsWith("Head") && identity.email.endsWith(".com")',
      'identity.givenName == "Bo" || identity.familyName != "Li"',
      'identity.title.contains("Engineer") && identity.givenName == "Bo"',
    ]) {
      const cel = compileCondition(source);
      const fast = fastCondition(cel);
      expect(fast, source).not.toBe(cel);
      for (const identity of people) {
        expect(outcome(() => fast.evaluate({ identity })), `${source} on ${JSON.stringify(identity)}`)
          .toEqual(outcome(() => cel.evaluate({ identity })));
      }
    }
  });

  it('leaves other expressions to CEL', () => {
    for (const source of [
      'identity.department == "A" || identity.title == "B" && identity.x == "C"',
      '(identity.department == "A" || identity.title == "B")',
      'identity.title.contains("a\\"b")',
    ]) {
      const cel = compileCondition(source);
      expect(fastCondition(cel), source).toBe(cel);
    }
    for (const source of ['identity.email.split("@")[1]', 'identity.givenName.lowerAscii() + "." + identity.familyName', 'identity.email.split("")[0]']) {
      const cel = compileMapping(source);
      expect(fastMapping(cel), source).toBe(cel);
    }
  });
});
