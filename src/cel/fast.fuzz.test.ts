import { describe, expect, it, vi } from 'vitest';

/**
 * Differential fuzz test of the fast path (fast.ts) against the CEL
 * interpreter: random expressions from the subset fast.ts claims (and a few
 * just outside it), compiled through compileMapping / compileCondition once
 * with the fast path and once without, must give the same value or throw the
 * same error (code and message) for every identity.
 *
 * "Without" is the real index.ts with compileFast switched off through a
 * module mock (no test hook in production code): `FAST.on` is read when an
 * expression is compiled. The seed is fixed, so a failure reproduces; the
 * failing source and identity are in the assertion message.
 */
const FAST = vi.hoisted(() => ({ on: true, compiled: 0, answered: 0 }));

vi.mock('./fast.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./fast.js')>();
  return {
    ...real,
    compileFast: (...args: Parameters<typeof real.compileFast>) => {
      if (!FAST.on) return undefined;
      const fast = real.compileFast(...args);
      if (fast === undefined) return undefined;
      FAST.compiled += 1;
      return (identity: Readonly<Record<string, unknown>>) => {
        const answer = fast(identity);
        if (answer !== undefined) FAST.answered += 1;
        return answer;
      };
    },
  };
});

const { compileCondition, compileMapping, UniqueCandidates } = await import('./index.js');

/** Fixed for CI; CEL_FUZZ_SEED / CEL_FUZZ_CASES explore further by hand. */
const SEED = Number(process.env.CEL_FUZZ_SEED ?? 20261127);
const CASES = Number(process.env.CEL_FUZZ_CASES ?? 3000);

/** mulberry32: small, deterministic. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATTRIBUTES = ['a', 'b', 'e', 'sp', 'z', 'dot', 'uni', 'sur', 'num', 'nul', 'list', 'bool', 'missing', 'constructor'];

const IDENTITIES: Record<string, unknown>[] = [
  { a: 'Ann', b: 'Lee', e: '', sp: '  pad\t', z: 'Zoë', dot: 'a.b..c', uni: 'İß ǅ', sur: '\ud800x', num: 3, nul: null, list: ['q'], bool: true },
  { a: 'ann', b: 'ANN', e: '', sp: '\u00a0nbsp\u2003', z: 'Zoe\u0308', dot: '.', uni: 'ǅungla', sur: '😀', num: 'three', nul: 'not null', list: 'q', bool: 'true' },
  { a: '', b: '', e: 'x', sp: '\ufeffbom\u200b', z: 'ß', dot: '', uni: 'İ', sur: '\udc00', num: '3', nul: '', list: '', bool: '' },
  { a: 'Ann', b: 'Ann' },
  { a: 'a.b', b: 'a', e: '.', sp: ' ', z: 'Z', dot: 'a..', uni: 'ǅ', sur: '\ud83d', num: 0, nul: null, list: [], bool: false },
  Object.assign(Object.create({ a: 'inherited' }) as Record<string, unknown>, { b: 'own' }),
  JSON.parse('{"a":"Ann","b":"Lee","constructor":"HR column"}') as Record<string, unknown>,
  {},
];

const LITERALS = [
  '""', '" "', '"a"', '"Ann"', '"ann"', '"."', '","', '"a.b"', '"\\t"', '"\\n"', '"\\\\"', '"\\""', "'\\''",
  '"Zoë"', '"Zo\\u00eb"', '"\\U0001F600"', '"İ"', '"ß"', '"ǅ"', '"\\u00a0"', '"\\ufeff"', '"\\x41"', '"\\101"',
  "r'\\d'", '"""tri"""', '"e\\u0308"', '"😀"', '"Zoe"',
];

type Kind = 'string' | 'bool' | 'list' | 'unique';

/** Random expressions of one kind; `scope` lists bound names with their kinds. */
class Generator {
  constructor(readonly next: () => number) {}

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  expression(kind: Kind, depth: number, scope: readonly [string, Kind][]): string {
    const leaf = depth <= 0 || this.chance(0.25);
    const bound = scope.filter(([, k]) => k === kind).map(([name]) => name);
    if (bound.length > 0 && this.chance(0.2)) return this.pick(bound);
    if (!leaf && this.chance(0.12)) return this.bind(kind, depth, scope);
    if (!leaf && this.chance(0.1)) {
      return `${this.expression('bool', depth - 1, scope)} ? ${this.expression(kind, depth - 1, scope)} : ${this.expression(kind, depth - 1, scope)}`;
    }
    switch (kind) {
      case 'string': return leaf ? this.stringLeaf() : this.stringNode(depth, scope);
      case 'bool': return leaf ? this.pick(['true', 'false', `identity.${this.pick(ATTRIBUTES)} == ${this.pick(LITERALS)}`]) : this.boolNode(depth, scope);
      case 'list': return this.list(depth, scope);
      case 'unique': return `unique(${this.chance(0.1) ? this.pick(['[identity.num]', '[identity.a, identity.list]', '[]', '[1]']) : this.list(depth - 1, scope)})`;
    }
  }

  stringLeaf(): string {
    return this.chance(0.5) ? this.pick(LITERALS) : `identity.${this.pick(ATTRIBUTES)}`;
  }

  stringNode(depth: number, scope: readonly [string, Kind][]): string {
    const s = () => this.expression('string', depth - 1, scope);
    switch (this.pick(['+', '+', 'method', 'method', 'replace', 'index', 'paren'] as const)) {
      case '+': return `${s()} + ${s()}`;
      case 'method': return `(${s()}).${this.pick(['ascii', 'lowerAscii', 'upperAscii', 'trim', 'initial'])}()`;
      case 'replace': return `(${s()}).replace(${s()}, ${s()})`;
      case 'index': return `(${this.expression('list', depth - 1, scope)})[${this.pick(['0', '1', '2', '-1', '3', '0x1', '9223372036854775807'])}]`;
      case 'paren': return `(${s()})`;
    }
  }

  boolNode(depth: number, scope: readonly [string, Kind][]): string {
    const s = () => this.expression('string', depth - 1, scope);
    const b = () => this.expression('bool', depth - 1, scope);
    switch (this.pick(['==', '!=', 'b==', '!', '&&', '||', 'test', 'test', 'outside'] as const)) {
      case '==': return `${s()} == ${s()}`;
      case '!=': return `${s()} != ${s()}`;
      case 'b==': return `(${b()}) ${this.pick(['==', '!='])} (${b()})`;
      case '!': return `!(${b()})`;
      case '&&': return `(${b()}) && (${b()})`;
      case '||': return `(${b()}) || (${b()})`;
      case 'test': return `(${s()}).${this.pick(['contains', 'startsWith', 'endsWith'])}(${s()})`;
      // Just outside the subset: CEL answers alone, but inside a subset expression.
      case 'outside': return this.pick([
        `identity.${this.pick(ATTRIBUTES)} == identity.${this.pick(ATTRIBUTES)}`,
        `identity.${this.pick(ATTRIBUTES)} == 3`,
        `has(identity.${this.pick(ATTRIBUTES)})`,
        `size(${s()}) > 1`,
        `(${s()}) in ${this.list(depth - 1, scope)}`,
        `${this.list(depth - 1, scope)} == ${this.list(depth - 1, scope)}`,
        `identity.${this.pick(ATTRIBUTES)}`,
      ]);
    }
  }

  list(depth: number, scope: readonly [string, Kind][]): string {
    const s = () => this.expression('string', depth - 1, scope);
    if (depth > 0 && this.chance(0.35)) return `(${s()}).split(${this.chance(0.5) ? this.pick(['""', '"."', '","', '"a"', '"Ann"']) : s()})`;
    if (depth > 0 && this.chance(0.08)) return `${this.list(depth - 1, scope)} + ${this.list(depth - 1, scope)}`;
    const length = Math.floor(this.next() * 4);
    return `[${Array.from({ length }, s).join(', ')}]`;
  }

  bind(kind: Kind, depth: number, scope: readonly [string, Kind][]): string {
    const name = this.pick(['x', 'y', 'x', 'identity']);
    const valueKind = this.pick<Kind>(['string', 'string', 'bool', 'list', 'unique']);
    const value = this.expression(valueKind, depth - 1, scope);
    const body = this.expression(kind, depth - 1, [...scope, [name, valueKind]]);
    return `cel.bind(${name}, ${value}, ${body})`;
  }
}

type Outcome = { value: unknown; unique: boolean } | { error: string };

function outcome(run: () => unknown): Outcome {
  try {
    const value = run();
    return { value, unique: value instanceof UniqueCandidates };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { error: `${code ?? ''}: ${message}` };
  }
}

/** Each identity's outcome of one source, compiled as a mapping or a condition, with or without the fast path. */
function outcomes(source: string, kind: 'mapping' | 'condition', fast: boolean): Outcome[] {
  FAST.on = fast;
  try {
    const compiled = outcome(() => (kind === 'mapping' ? compileMapping(source, 'm') : compileCondition(source, 'c')));
    if ('error' in compiled) return [compiled];
    const expression = compiled.value as ReturnType<typeof compileMapping>;
    return IDENTITIES.map((identity) => outcome(() => expression.evaluate({ identity, now: new Date(0) })));
  } finally {
    FAST.on = true;
  }
}

describe('fast path vs the CEL interpreter (differential fuzz)', () => {
  it('gives the same value or the same error for random expressions of the subset', () => {
    const generator = new Generator(random(SEED));
    const seen = new Set<string>();
    for (let i = 0; i < CASES; i++) {
      const kind = generator.pick<Kind>(['string', 'bool', 'bool', 'list', 'unique']);
      const source = generator.expression(kind, 1 + Math.floor(generator.next() * 4), []);
      if (seen.has(source)) continue;
      seen.add(source);
      for (const as of kind === 'bool' ? (['mapping', 'condition'] as const) : (['mapping'] as const)) {
        const expected = outcomes(source, as, false);
        const actual = outcomes(source, as, true);
        for (let k = 0; k < expected.length; k++) {
          const who = expected.length === 1 ? 'compile' : JSON.stringify(IDENTITIES[k]);
          expect(actual[k], `${as} \`${source}\` on ${who}`).toEqual(expected[k]);
        }
      }
    }
    // The generator must reach the fast path, and the fast path must answer often.
    if (process.env.CEL_FUZZ_SEED !== undefined) console.log({ distinct: seen.size, ...FAST });
    expect(seen.size).toBeGreaterThan(CASES * 0.66);
    expect(FAST.compiled).toBeGreaterThan(CASES / 3);
    expect(FAST.answered).toBeGreaterThan(CASES);
  });

  it('covers the hand-picked corner cases', () => {
    const sources = [
      'false && identity.missing == "x"', 'true || identity.missing == "x"', 'identity.missing == "x" && false',
      'identity.missing == "x" || true', 'true ? "a" : identity.missing', 'false ? identity.missing : "b"',
      '"".initial()', '"😀x".initial()', '"abc".split("")', '"😀".split("")', '"".split("")', '"".split(",")',
      '" \\t\\n\\u00a0\\u2003\\ufeff\\u200b x \\u3000".trim()', '"İß".lowerAscii()', '"ß".upperAscii()', '"ǅ".lowerAscii()',
      'unique([])', 'unique(["a", "a"])', '["a", "b"][-1]', '["a", "b"][2]', '[][0]', '["a"] + ["b"]',
      '"a" == "a" == true', 'cel.bind(x, "a", cel.bind(x, x + "b", x) + x)', 'cel.bind(identity, "q", identity)',
      'cel.bind(x, identity.a, x) + cel.bind(x, identity.b, x)', '"a".replace("", "b")', '"aaa".replace("a", "$&$1")',
      'identity.a', 'identity.a + identity.b', 'identity.constructor', 'identity.a.ascii()',
    ];
    for (const source of sources) {
      const expected = outcomes(source, 'mapping', false);
      expect(outcomes(source, 'mapping', true), source).toEqual(expected);
    }
  });
});
