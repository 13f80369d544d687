import { describe, expect, it, vi } from 'vitest';

/**
 * Differential test: the policy's fast paths (fast-path.ts, fast-expr.ts,
 * wrapped around the CEL layer's own fast.ts) against the plain CEL
 * interpreter, on random expressions of the shapes they recognise and random
 * identities (missing keys, null, numbers, lists, Unicode, empty strings,
 * commas inside literals, an attribute named "constructor", a null-prototype
 * record). Same value, or the same error code and message, for every pair.
 * The reference turns fast.ts off through a module mock (read at compile time).
 */
const FAST = vi.hoisted(() => ({ on: true }));
vi.mock('../cel/fast.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../cel/fast.js')>();
  return { ...real, compileFast: (...args: Parameters<typeof real.compileFast>) => (FAST.on ? real.compileFast(...args) : undefined) };
});

const { compileCondition, compileMapping } = await import('../cel/index.js');
const { fastCondition, fastMapping } = await import('./fast-path.js');

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

const next = random(Number(process.env.FAST_PATH_SEED ?? 88_2026));
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

const NAMES = ['location', 'dept', 'email', 'title', 'constructor', 'missing'];
/** Literal texts (no quotes or backslashes: the only literals the fast paths read). */
const TEXTS = ['', ' ', ',', 'London', 'Washington, DC', 'Washington', ' DC', 'DC', 'a,b', 'a', 'b', '@', 'x@y', 'Zoë', 'Zoe\u0308', 'İ', '😀', 'Head', 'Manager', 'a, b, c'];
const VALUES: readonly unknown[] = [...TEXTS, 'ann@example.com', '@@', 'Head of Sales', 'London ', 'london', null, 0, 3, -1.5, true, false, [], ['London'], { a: 'b' }];

const lit = (): string => `"${pick(TEXTS)}"`;
const attr = (): string => `identity.${pick(NAMES)}`;
const space = (): string => pick(['', ' ', '  ']);

function operand(): string {
  const r = next();
  if (r < 0.2) return lit();
  if (r < 0.35) return `${attr()}.split(${pick(['"@"', '","', '" "', '"a"'])})[0]`;
  return attr();
}

function atom(): string {
  const r = next();
  if (r < 0.5) return `${attr()}${space()}${pick(['==', '!='])}${space()}${lit()}`;
  return `${attr()}.${pick(['contains', 'startsWith', 'endsWith'])}(${lit()})`;
}

function condition(): string {
  switch (pick(['equals', 'member', 'junction', 'junction'] as const)) {
    case 'equals': return `${space()}${attr()}${space()}${pick(['==', '!='])}${space()}${lit()}${space()}`;
    case 'member': return `${attr()} in [${Array.from({ length: 1 + Math.floor(next() * 3) }, lit).join(pick([',', ', ', ' , ']))}]`;
    case 'junction': {
      const op = pick([' || ', ' && ', '||', '&&']);
      return Array.from({ length: 2 + Math.floor(next() * 3) }, atom).join(op);
    }
  }
}

function mapping(): string {
  if (next() < 0.3) return `${space()}${attr()}${space()}`;
  return Array.from({ length: 2 + Math.floor(next() * 3) }, operand).join(pick([' + ', '+']));
}

function identity(): Record<string, unknown> {
  const record: Record<string, unknown> = next() < 0.1 ? (Object.create(null) as Record<string, unknown>) : {};
  for (const name of NAMES) {
    if (name === 'missing' || next() < 0.15) continue;
    if (name === 'constructor' && next() < 0.7) continue;
    Object.defineProperty(record, name, { value: pick(VALUES), enumerable: true, writable: true, configurable: true });
  }
  return record;
}

type Outcome = { value: unknown } | { error: string };
function outcome(run: () => unknown): Outcome {
  try {
    return { value: run() };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { error: `${code ?? ''}: ${message}` };
  }
}

function compile(source: string, kind: 'condition' | 'mapping', fast: boolean): { evaluate(vars: { identity: Record<string, unknown> }): unknown } {
  FAST.on = fast;
  try {
    if (kind === 'condition') {
      const cel = compileCondition(source, 'c');
      return fast ? fastCondition(cel) : cel;
    }
    const cel = compileMapping(source, 'm');
    return fast ? fastMapping(cel) : cel;
  } finally {
    FAST.on = true;
  }
}

function compare(source: string, kind: 'condition' | 'mapping', identities: readonly Record<string, unknown>[]): void {
  const reference = compile(source, kind, false);
  const fast = compile(source, kind, true);
  for (const who of identities) {
    const expected = outcome(() => reference.evaluate({ identity: who }));
    expect(outcome(() => fast.evaluate({ identity: who })), `${kind} \`${source}\` on ${JSON.stringify(who)}`).toEqual(expected);
  }
}

describe('policy fast paths vs the CEL interpreter (differential)', () => {
  it('`in [...]` with a comma inside a literal is one item, as in CEL', () => {
    const source = 'identity.location in ["Washington, DC", "London"]';
    const scope = fastCondition(compileCondition(source));
    expect(scope.evaluate({ identity: { location: 'Washington, DC' } })).toBe(true);
    expect(scope.evaluate({ identity: { location: 'Washingto' } })).toBe(false);
    expect(scope.evaluate({ identity: { location: '' } })).toBe(false);
    compare(source, 'condition', [{ location: 'Washington, DC' }, { location: 'D' }, { location: '' }, { location: ' DC' }]);
  });

  it('an attribute named "constructor" is read like any other, by CEL and the fast paths alike', () => {
    const who = JSON.parse('{"dept":"Sales","constructor":"HR column"}') as Record<string, unknown>;
    expect(fastCondition(compileCondition('identity.dept == "Sales"')).evaluate({ identity: who })).toBe(true);
    expect(compileCondition('identity.dept == "Sales" && identity.title.size() >= 0 || true').evaluate({ identity: who })).toBe(true);
    expect(compileMapping('identity.constructor + "/" + identity.dept').evaluate({ identity: who })).toBe('HR column/Sales');
    expect(compileMapping('managerAccount.attributes.constructor').evaluate({ identity: {}, managerAccount: { attributes: { constructor: 'x' } } })).toBe('x');
    compare('identity.dept == "Sales"', 'condition', [who]);
    compare('identity.dept', 'mapping', [who]);
  });

  it('gives the same value or error on random expressions and identities', () => {
    const identities = Array.from({ length: 40 }, identity);
    identities.push({}, Object.create(null) as Record<string, unknown>, JSON.parse('{"constructor":"c","location":"London"}') as Record<string, unknown>);
    for (let i = 0; i < 400; i++) {
      const kind = next() < 0.6 ? 'condition' : 'mapping';
      compare(kind === 'condition' ? condition() : mapping(), kind, identities);
    }
  });
});
