import { describe, expect, it } from 'vitest';
import { isRosterError } from '../core/errors.js';
import { checkExpression, compileCondition, compileMapping } from './index.js';

const failure = (run: () => unknown): { code: string; message: string } | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!isRosterError(error)) throw error;
    return { code: error.code, message: error.message };
  }
};

describe('CEL limits: a pathological expression cannot hang the engine', () => {
  it('matches() with catastrophic backtracking answers in linear time on a crafted HR value', () => {
    const condition = compileCondition('identity.login.matches("^(a+)+$")', 'role r');
    const started = performance.now();
    // Without the linear-engine fallback this takes ~2^29 steps (seconds; 40 a's would take days).
    expect(condition.evaluate({ identity: { login: 'a'.repeat(29) + '!' } })).toBe(false);
    expect(condition.evaluate({ identity: { login: 'a'.repeat(5000) + '!' } })).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(condition.evaluate({ identity: { login: 'aaaa' } })).toBe(true);
  });

  it('matches() patterns are checked at load: invalid, backreference, lookaround, computed', () => {
    const invalid = checkExpression('identity.a.matches("(")', 'condition');
    expect(invalid?.message).toMatch(/invalid regular expression/);
    expect(invalid?.offset).toBe(19);
    expect(failure(() => compileCondition('identity.a.matches("(")'))?.code).toBe('config.invalid');
    expect(checkExpression('identity.a.matches("(a)\\\\1")', 'condition')?.message).toMatch(/backreference or lookaround/);
    expect(checkExpression('identity.a.matches("(?=a)a")', 'condition')?.message).toMatch(/backreference or lookaround/);
    expect(checkExpression('identity.a.matches(identity.b)', 'condition')?.message).toMatch(/string literal pattern/);
    expect(checkExpression('identity.a.matches("^[A-Z][a-z]+(-[A-Z][a-z]+)*$")', 'condition')).toBeUndefined();
  });

  it('rejects comprehensions whose work grows with a power of the data, at load, with a position', () => {
    const thousand = `[${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]`;
    const cubic = `cel.bind(l, ${thousand}, l.map(a, l.map(b, l.map(c, a + b + c))).size() > 0)`;
    expect(checkExpression(cubic, 'condition')?.message).toMatch(/must range over a list literal|at most two deep/);
    const literalCubic = `${thousand}.map(a, ${thousand}.map(b, ${thousand}.map(c, 0))).size() > 0`;
    expect(checkExpression(literalCubic, 'condition')?.message).toMatch(/at most two deep/);
    const quadratic = 'identity.a.split(",").all(x, identity.b.split(",").exists(y, x == y))';
    const problem = checkExpression(quadratic, 'condition');
    expect(problem?.message).toMatch(/list literal/);
    expect(problem?.offset).toBe(quadratic.indexOf('identity.b'));
    // Linear shapes stay allowed.
    expect(checkExpression('identity.a.split(",").all(x, x in identity.b.split(","))', 'condition')).toBeUndefined();
    expect(checkExpression('identity.a.split(",").exists(x, ["eng", "ops"].exists(y, x == y))', 'condition')).toBeUndefined();
    expect(checkExpression('identity.a.split(",").map(x, x.trim()).filter(x, x != "").size() > 0', 'condition')).toBeUndefined();
  });

  it('contains runtime errors on one identity as expression.failed, never a raw exception', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['int(identity.n) / int(identity.z)', { n: '1', z: '0' }],
      ['int(identity.n) + 9223372036854775807', { n: '1' }],
      ['timestamp(identity.d)', { d: '2024-13-45' }],
      ['identity.missing', {}],
      ['identity.n.substring(5)', { n: 'ab' }],
      ['unique([identity.n])', { n: 3 }],
    ];
    for (const [source, identity] of cases) {
      expect(failure(() => compileMapping(source, 'target t attribute x').evaluate({ identity }))?.code, source).toBe('expression.failed');
    }
  });
});
