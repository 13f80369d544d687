import type { CelVars, CompiledExpression, MappingValue } from '../cel/index.js';

/**
 * A second fast path (after fast-path.ts) for the expressions real configs
 * are full of, compiled to plain functions over string attributes:
 *   mappings   `identity.givenName + " " + identity.familyName`, `identity.email.split("@")[0]`
 *   conditions `identity.title.contains("Head") || identity.title.contains("Manager")`,
 *              `a == "x" && b != "y"` (one kind of operator per expression, no parentheses)
 * It answers only when every attribute it reads is a string; anything else
 * (a missing key, a number, null) goes to CEL, which gives the same answer or
 * the same error as always. String literals without escapes only.
 */
type Read = (identity: Readonly<Record<string, unknown>>) => string | undefined;

const HAS = Object.prototype.hasOwnProperty;
const TOKEN = /\s*(identity\.[A-Za-z_][A-Za-z0-9_]*|"[^"\\]*"|\.(?:split|contains|startsWith|endsWith)\(|\)\[0\]|\)|\|\||&&|==|!=|\+)/y;

function tokens(source: string): string[] | undefined {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(source);
    if (!match) return undefined;
    out.push(match[1]!);
  }
  return out;
}

const literal = (token: string | undefined): string | undefined =>
  token !== undefined && token.startsWith('"') ? token.slice(1, -1) : undefined;
const attribute = (token: string | undefined): string | undefined =>
  token !== undefined && token.startsWith('identity.') ? token.slice('identity.'.length) : undefined;

function reader(name: string): Read {
  return (identity) => {
    const value = HAS.call(identity, name) ? identity[name] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
}

/** `identity.x`, `"lit"` or `identity.x.split("sep")[0]`, from position i; the reader and the next position. */
function operand(list: readonly string[], i: number): [Read, number] | undefined {
  const text = literal(list[i]);
  if (text !== undefined) return [() => text, i + 1];
  const name = attribute(list[i]);
  if (name === undefined) return undefined;
  const read = reader(name);
  if (list[i + 1] !== '.split(') return [read, i + 1];
  const separator = literal(list[i + 2]);
  if (separator === undefined || separator === '' || list[i + 3] !== ')[0]') return undefined;
  return [(identity) => read(identity)?.split(separator)[0], i + 4];
}

function concatenation(source: string): Read | undefined {
  const list = tokens(source);
  if (!list || list.length < 2) return undefined;
  const parts: Read[] = [];
  for (let i = 0; ;) {
    const next = operand(list, i);
    if (!next) return undefined;
    parts.push(next[0]);
    i = next[1];
    if (i === list.length) break;
    if (list[i] !== '+') return undefined;
    i += 1;
  }
  return (identity) => {
    let text = '';
    for (const part of parts) {
      const value = part(identity);
      if (value === undefined) return undefined;
      text += value;
    }
    return text;
  };
}

type Test = (identity: Readonly<Record<string, unknown>>) => boolean | undefined;

function atom(list: readonly string[], i: number): [Test, number] | undefined {
  const name = attribute(list[i]);
  if (name === undefined) return undefined;
  const read = reader(name);
  const op = list[i + 1];
  const text = literal(list[i + 2]);
  if (text === undefined) return undefined;
  if (op === '==' || op === '!=') {
    const equal = op === '==';
    return [(identity) => { const v = read(identity); return v === undefined ? undefined : (v === text) === equal; }, i + 3];
  }
  if (list[i + 3] !== ')') return undefined;
  const test = op === '.contains(' ? (v: string) => v.includes(text)
    : op === '.startsWith(' ? (v: string) => v.startsWith(text)
      : op === '.endsWith(' ? (v: string) => v.endsWith(text) : undefined;
  if (!test) return undefined;
  return [(identity) => { const v = read(identity); return v === undefined ? undefined : test(v); }, i + 4];
}

function junction(source: string): Test | undefined {
  const list = tokens(source);
  if (!list) return undefined;
  const tests: Test[] = [];
  let operator: string | undefined;
  for (let i = 0; ;) {
    const next = atom(list, i);
    if (!next) return undefined;
    tests.push(next[0]);
    i = next[1];
    if (i === list.length) break;
    if ((list[i] !== '||' && list[i] !== '&&') || (operator !== undefined && list[i] !== operator)) return undefined;
    operator = list[i];
    i += 1;
  }
  if (tests.length < 2) return undefined;
  const any = operator === '||';
  // Every attribute is checked before answering, so CEL's error rules for || and && never come into play.
  return (identity) => {
    let result = !any;
    for (const test of tests) {
      const value = test(identity);
      if (value === undefined) return undefined;
      if (value === any) result = any;
    }
    return result;
  };
}

export function fastConcatenation(compiled: CompiledExpression<MappingValue>): CompiledExpression<MappingValue> {
  const read = concatenation(compiled.source);
  if (!read) return compiled;
  return {
    source: compiled.source,
    evaluate: (vars: CelVars): MappingValue => read(vars.identity) ?? compiled.evaluate(vars),
  };
}

export function fastJunction(compiled: CompiledExpression<boolean>): CompiledExpression<boolean> {
  const test = junction(compiled.source);
  if (!test) return compiled;
  return {
    source: compiled.source,
    evaluate: (vars: CelVars): boolean => test(vars.identity) ?? compiled.evaluate(vars),
  };
}
