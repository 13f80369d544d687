import { describe, expect, it } from 'vitest';
import { isRosterError, RosterError } from '../core/errors.js';
import { checkExpression, compileCondition, compileMapping, toAscii, UniqueCandidates } from './index.js';

const zoe = { givenName: 'Zoë', familyName: 'Müller', department: 'Engineering', employmentType: 'employee', email: 'zoe@example.com' };

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError');
}

describe('compileCondition', () => {
  it('evaluates a bool condition over identity', () => {
    const condition = compileCondition('identity.department == "Engineering"');
    expect(condition.source).toBe('identity.department == "Engineering"');
    expect(condition.evaluate({ identity: zoe })).toBe(true);
    expect(condition.evaluate({ identity: { ...zoe, department: 'Sales' } })).toBe(false);
  });

  it('supports in-lists, manager and now', () => {
    expect(compileCondition('identity.employmentType in ["employee", "contractor"]').evaluate({ identity: zoe })).toBe(true);
    const managedBy = compileCondition('has(manager.department) && manager.department == identity.department');
    expect(managedBy.evaluate({ identity: zoe, manager: { department: 'Engineering' } })).toBe(true);
    expect(managedBy.evaluate({ identity: zoe, manager: null })).toBe(false);
    const started = compileCondition('now >= timestamp(identity.startDate + "T00:00:00Z")');
    expect(started.evaluate({ identity: { startDate: '2024-03-01' }, now: new Date('2024-03-02T00:00:00Z') })).toBe(true);
    expect(started.evaluate({ identity: { startDate: '2024-03-01' }, now: new Date('2024-02-28T00:00:00Z') })).toBe(false);
  });

  it('rejects syntax errors with the offset and a caret display', () => {
    const error = thrown(() => compileCondition('identity.department == 1 ==='));
    expect(error.code).toBe('config.invalid');
    expect(error.details?.['offset']).toBe(27);
    expect(error.message).toContain('^');
  });

  it('rejects a condition that is not bool', () => {
    const error = thrown(() => compileCondition('identity.givenName + "x"'));
    expect(error.code).toBe('config.invalid');
    expect(error.message).toContain('must be a bool expression, this one is string');
    expect(checkExpression('identity.department', 'condition')?.message).toMatch(/dyn/);
  });

  it('rejects unknown functions and ===', () => {
    expect(checkExpression('frobnicate(identity.x)', 'condition')?.message).toContain("no matching overload for 'frobnicate(dyn)'");
    const strict = checkExpression('identity.a === "b"', 'condition');
    expect(strict?.offset).toBe(13);
    expect(checkExpression('', 'mapping')?.message).toContain('empty');
  });

  it('turns a missing attribute into expression.failed with the label', () => {
    const condition = compileCondition('identity.costCenter == "42"', 'role engineering');
    const error = thrown(() => condition.evaluate({ identity: zoe }));
    expect(isRosterError(error, 'expression.failed')).toBe(true);
    expect(error.message).toMatch(/^role engineering: No such key: costCenter/);
    expect(error.message).toContain('has(');
  });

  it('fails at evaluation when a dyn result is not a bool', () => {
    const condition = compileCondition('default(identity.flag, false)');
    expect(condition.evaluate({ identity: {} })).toBe(false);
    expect(condition.evaluate({ identity: { flag: true } })).toBe(true);
    expect(thrown(() => condition.evaluate({ identity: { flag: 'yes' } })).code).toBe('expression.failed');
  });
});

describe('compileMapping', () => {
  it('builds unique username candidates with transliteration', () => {
    const mapping = compileMapping(
      'unique([identity.givenName.ascii().lowerAscii() + "." + identity.familyName.ascii().lowerAscii(), identity.givenName.ascii().lowerAscii().initial() + identity.familyName.ascii().lowerAscii()])',
    );
    const value = mapping.evaluate({ identity: zoe });
    expect(value).toBeInstanceOf(UniqueCandidates);
    expect((value as UniqueCandidates).candidates).toEqual(['zoe.muller', 'zmuller']);
  });

  it('converts ints to numbers and lists to plain arrays', () => {
    expect(compileMapping('size(identity.givenName) + 1').evaluate({ identity: zoe })).toBe(4);
    expect(compileMapping('[1, 2, 3]').evaluate({ identity: zoe })).toEqual([1, 2, 3]);
    expect(compileMapping('identity.email.split("@")').evaluate({ identity: zoe })).toEqual(['zoe', 'example.com']);
    expect(compileMapping('null').evaluate({ identity: zoe })).toBeNull();
    expect(compileMapping('2.5').evaluate({ identity: zoe })).toBe(2.5);
    expect(compileMapping('timestamp("2024-01-02T03:04:05Z")').evaluate({ identity: zoe })).toBe('2024-01-02T03:04:05.000Z');
  });

  it('offers default(), optional chaining and the string helpers', () => {
    expect(compileMapping('default(identity.phone, "none")').evaluate({ identity: zoe })).toBe('none');
    expect(compileMapping('default(identity.phone, "none")').evaluate({ identity: { phone: '' } })).toBe('none');
    expect(compileMapping('default(identity.phone, "none")').evaluate({ identity: { phone: '+1' } })).toBe('+1');
    expect(compileMapping('identity.?phone').evaluate({ identity: zoe })).toBeNull();
    expect(compileMapping('identity.givenName + " " + identity.familyName').evaluate({ identity: zoe })).toBe('Zoë Müller');
    expect(compileMapping('" A b ".trim().upperAscii().replace(" ", "-")').evaluate({ identity: zoe })).toBe('A-B');
    expect(compileMapping('["a", "b"].join("+") + "x".substring(0, 1)').evaluate({ identity: zoe })).toBe('a+bx');
  });

  it('rejects mappings that give a map', () => {
    expect(checkExpression('{"a": 1}', 'mapping')?.message).toContain('map<string, int>');
    expect(() => compileMapping('{"a": 1}')).toThrow(RosterError);
  });

  it('reports a non-string candidate passed to unique()', () => {
    const mapping = compileMapping('unique([identity.n])', 'mapping app.username');
    expect(thrown(() => mapping.evaluate({ identity: { n: 3 } })).code).toBe('expression.failed');
  });
});

describe('toAscii', () => {
  it('transliterates names and drops what it cannot', () => {
    expect(toAscii('Zoë')).toBe('Zoe');
    expect(toAscii('Łukasz')).toBe('Lukasz');
    expect(toAscii('Müller')).toBe('Muller');
    expect(toAscii('Straße')).toBe('Strasse');
    expect(toAscii('Søren Ærø')).toBe('Soren AEro');
    expect(toAscii('李')).toBe('');
    expect(toAscii('plain')).toBe('plain');
  });
});
