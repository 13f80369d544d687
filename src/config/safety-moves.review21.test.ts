import { describe, expect, it } from 'vitest';
import { formatProblem, validateConfigText } from './load.js';
import { EXAMPLE_YAML } from './test-fixtures.js';

const FILE = '/etc/roster/roster.yaml';
const SAFETY_LINE = 29;
const withSafety = (safety: string) => {
  const lines = EXAMPLE_YAML.split('\n');
  expect(lines[SAFETY_LINE - 1]).toMatch(/^ {4}safety: /);
  lines[SAFETY_LINE - 1] = `    safety: ${safety}`;
  return validateConfigText(lines.join('\n'), FILE, { env: {} });
};

describe('review21: safety.maxMoves in roster.yaml', () => {
  it('is left out when not written (the planner applies 10%), so existing configs load as before', () => {
    const { config, problems } = withSafety('{ maxDeletes: 5%, maxDisables: 10%, minAccounts: 10 }');
    expect(problems).toEqual([]);
    expect(config!.targets[0]!.safety).toStrictEqual({ maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, maxRevokes: { percent: 10 }, minAccounts: 10, windowMs: 3_600_000 });
  });

  it('reads a percentage or a count (a numeric string from ${env:…} too)', () => {
    expect(withSafety('{ maxMoves: 2.5% }').config!.targets[0]!.safety).toMatchObject({ maxMoves: { percent: 2.5 }, maxDisables: { percent: 10 } });
    expect(withSafety('{ maxMoves: 25 }').config!.targets[0]!.safety.maxMoves).toEqual({ count: 25 });
    expect(withSafety('{ maxMoves: "0" }').config!.targets[0]!.safety.maxMoves).toEqual({ count: 0 });
    expect(withSafety('{ maxMoves: 100% }').config!.targets[0]!.safety.maxMoves).toEqual({ percent: 100 });
  });

  it('refuses anything else at its key and line', () => {
    for (const bad of ['lots', '-3', '150%', '[1]']) {
      const { config, problems } = withSafety(`{ maxDisables: 10%, maxMoves: ${bad} }`);
      expect(config).toBeUndefined();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ file: FILE, line: SAFETY_LINE, path: 'targets[0].safety.maxMoves' });
      expect(formatProblem(problems[0]!)).toContain(`${FILE}:${SAFETY_LINE}:`);
    }
    const typo = withSafety('{ maxMove: 5% }');
    expect(typo.problems).toEqual([expect.objectContaining({ line: SAFETY_LINE, message: "unknown key 'maxMove' (did you mean 'maxMoves'?)" })]);
  });
});
