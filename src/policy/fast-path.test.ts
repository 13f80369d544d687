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

  it('leaves other expressions to CEL', () => {
    const cel = compileCondition('identity.department == "A" || identity.title == "B"');
    expect(fastCondition(cel)).toBe(cel);
  });
});
