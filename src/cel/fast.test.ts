import { describe, expect, it } from 'vitest';
import { toPlainValue } from './convert.js';
import { createRosterEnvironment } from './environment.js';
import { compileFast } from './fast.js';
import { compileCondition, compileMapping, UniqueCandidates } from './index.js';

const environment = createRosterEnvironment();
const NONE = Object.freeze({});

/** CEL's own answer (the interpreter only), or the error it throws. */
function interpreted(source: string, identity: Record<string, unknown>): { value?: unknown; error?: unknown } {
  const program = environment.parse(source);
  try {
    return { value: toPlainValue(program({ identity, manager: NONE, managerAccount: NONE, now: new Date(0) })) };
  } catch (error) {
    return { error };
  }
}

const USERNAME = 'cel.bind(g, identity.givenName.ascii().lowerAscii().replace("\'", "").replace(" ", ""), '
  + 'cel.bind(f, identity.familyName.ascii().lowerAscii().replace("\'", "").replace(" ", ""), '
  + 'cel.bind(local, identity.email.split("@")[0], '
  + 'unique(g == "" || f == "" ? [local] : [g + "." + f, g.initial() + f, local]))))';

const IN_SUBSET = [
  USERNAME,
  'identity.givenName + " " + identity.familyName',
  'identity.email.split("@")[0]',
  'identity.email.split("@")[1]',
  'identity.givenName.upperAscii().trim()',
  'identity.givenName.replace("a", "$&")',
  'identity.title.contains("Head") || identity.title.startsWith("Chief")',
  'identity.department == "Engineering" && !(identity.title.endsWith("Intern"))',
  'identity.department != "Sales" ? identity.department : "sales"',
  '["a", identity.givenName][1]',
  'cel.bind(x, identity.givenName, cel.bind(x, x + "!", x))',
  'cel.bind(x, identity.givenName == "", x == true)',
  'unique([identity.givenName.initial() + identity.familyName.lowerAscii()])',
  'true',
];

const PEOPLE: Record<string, unknown>[] = [
  { givenName: 'Zoë', familyName: "O'Müller", email: 'zoe@example.com', department: 'Engineering', title: 'Head of Data' },
  { givenName: ' Łukasz ', familyName: 'Van Dam', email: 'lukasz@example.com', department: 'Sales', title: 'Chief Intern' },
  { givenName: '李', familyName: '伟', email: 'wei.li@example.com', department: '', title: '' },
  { givenName: '', familyName: '', email: 'no-at-sign', department: 'Ops', title: 'Intern' },
  { givenName: 'Ann', familyName: 'Lee', email: 42, department: null, title: ['x'] },
  { givenName: 'Ann' },
  Object.assign(Object.create({ inherited: 'x' }) as Record<string, unknown>, { givenName: 'Bo', familyName: 'Yu', email: 'bo@x', department: 'D', title: 'T' }),
];

describe('compileFast', () => {
  it('compiles the usual mapping and condition shapes', () => {
    for (const source of IN_SUBSET) expect(compileFast(environment.parse(source).ast, 'mapping'), source).toBeDefined();
    expect(compileFast(environment.parse('identity.department == "x"').ast, 'condition')).toBeDefined();
  });

  it('leaves everything else to CEL', () => {
    for (const source of [
      'identity.givenName', // a condition must be a bool
      'has(identity.x)', 'default(identity.x, "y")', 'identity.?x.orValue("")', 'size(identity.givenName) > 2',
      'manager.givenName', 'identity["givenName"]', 'identity.givenName in ["a"]', '1 + 2', 'identity.a.b',
    ]) {
      expect(compileFast(environment.parse(source).ast, 'condition'), source).toBeUndefined();
    }
  });

  it('gives what the interpreter gives, or no answer where it fails or reads a non-string', () => {
    for (const source of IN_SUBSET) {
      const fast = compileFast(environment.parse(source).ast, 'mapping')!;
      let answered = 0;
      for (const identity of PEOPLE) {
        const answer = fast(identity);
        const expected = interpreted(source, identity);
        if (answer === undefined) continue; // CEL answers alone: nothing to compare
        answered += 1;
        expect(expected.error, `${source} on ${JSON.stringify(identity)}`).toBeUndefined();
        expect(answer, `${source} on ${JSON.stringify(identity)}`).toEqual(expected.value);
        expect(answer instanceof UniqueCandidates).toBe(expected.value instanceof UniqueCandidates);
      }
      expect(answered, source).toBeGreaterThan(2);
    }
  });

  it('answers for string attributes and passes on the rest', () => {
    const fast = compileFast(environment.parse(USERNAME).ast, 'mapping')!;
    expect(fast(PEOPLE[0]!)).toEqual(new UniqueCandidates(['zoe.omuller', 'zomuller', 'zoe']));
    expect(fast(PEOPLE[2]!)).toEqual(new UniqueCandidates(['wei.li']));
    expect(fast(PEOPLE[4]!)).toBeUndefined(); // email is a number
    expect(fast(PEOPLE[5]!)).toBeUndefined(); // familyName is missing
    const index = compileFast(environment.parse('identity.email.split("@")[1]').ast, 'mapping')!;
    expect(index(PEOPLE[3]!)).toBeUndefined(); // out of range: CEL's error
    expect(compileFast(environment.parse('identity.inherited').ast, 'mapping')!(PEOPLE[6]!)).toBeUndefined();
  });

  it('keeps the compiled expressions\' results and errors', () => {
    const mapping = compileMapping(USERNAME, 'target t attribute uid');
    expect(mapping.evaluate({ identity: PEOPLE[0]! })).toEqual(new UniqueCandidates(['zoe.omuller', 'zomuller', 'zoe']));
    expect(() => mapping.evaluate({ identity: PEOPLE[5]! })).toThrow(/target t attribute uid: .*No such key: familyName/);
    expect(() => mapping.evaluate({ identity: PEOPLE[4]! })).toThrow(/target t attribute uid/);
    const condition = compileCondition('identity.title.contains("Head") || identity.department == "Sales"');
    expect(condition.evaluate({ identity: PEOPLE[0]! })).toBe(true);
    expect(condition.evaluate({ identity: PEOPLE[3]! })).toBe(false);
    expect(() => condition.evaluate({ identity: {} })).toThrow(/No such key/);
  });
});
