import type { ASTNode } from '@marcbachmann/cel-js';
import { initial, replaceText } from './environment.js';
import { toAscii } from './transliterate.js';
import { UniqueCandidates } from './unique.js';

/**
 * A fast path for the string expressions configs are made of (usernames,
 * display names, e-mail local parts, department tests): the checked AST is
 * compiled once into plain closures over the identity's string attributes,
 * instead of walking it in the CEL interpreter for every identity.
 *
 * The subset: string and bool literals; `identity.x`; `cel.bind`; string
 * `+`; `==` and `!=` between two strings or two bools; `!`, `&&`, `||`,
 * `?:` over bools; list literals of strings, a list indexed by an int
 * literal; the string methods ascii, lowerAscii, upperAscii, trim, initial,
 * replace, split, contains, startsWith, endsWith; and unique(list). Every
 * operation calls the same JavaScript the CEL environment does.
 *
 * It answers only when what it reads is certain: an attribute that is not a
 * string held by the identity itself (missing, null, a number, a list) or an
 * index outside the list gives `undefined`, "no answer", and the caller runs
 * CEL, which gives the same value or the same error as always. Short-circuits
 * are CEL's (`true || x` is true whatever x is), so an answer never depends on
 * a part CEL would not have evaluated.
 */
export type FastExpression = (identity: Readonly<Record<string, unknown>>) => FastValue | undefined;

type FastValue = string | boolean | string[] | UniqueCandidates;
type Kind = 'string' | 'bool' | 'list' | 'unique';
/** `slots` hold the cel.bind values of one evaluation. */
type Run<T> = (identity: Readonly<Record<string, unknown>>, slots: unknown[]) => T | undefined;
interface Compiled { readonly kind: Kind; readonly run: Run<FastValue> }
/** Bound variable names, innermost last; a name's slot is its position. */
interface Scope { readonly names: readonly string[]; readonly kinds: readonly Kind[] }

const HAS = Object.prototype.hasOwnProperty;

/** Methods of one string receiver without arguments. */
const STRING_METHODS: Readonly<Record<string, (s: string) => string>> = {
  ascii: toAscii,
  lowerAscii: (s) => s.toLowerCase(),
  upperAscii: (s) => s.toUpperCase(),
  trim: (s) => s.trim(),
  initial,
};

const STRING_TESTS: Readonly<Record<string, (s: string, t: string) => boolean>> = {
  contains: (s, t) => s.includes(t),
  startsWith: (s, t) => s.startsWith(t),
  endsWith: (s, t) => s.endsWith(t),
};

/** A checked expression's fast form when every part of it is in the subset and its result is `want`; else undefined. */
export function compileFast(ast: ASTNode, want: 'condition' | 'mapping'): FastExpression | undefined {
  const slotCount = countBinds(ast);
  const compiled = node(ast, { names: [], kinds: [] });
  if (compiled === undefined || (want === 'condition' && compiled.kind !== 'bool')) return undefined;
  const { run } = compiled;
  return (identity) => {
    if (!readableAsMap(identity)) return undefined;
    return run(identity, slotCount === 0 ? NO_SLOTS : new Array<unknown>(slotCount));
  };
}

/**
 * cel-js reads `identity` as a map only when its `constructor` is Object or
 * absent; otherwise (a class instance, or an HR column named "constructor"
 * holding a string) every read of it fails with "Unsupported type". No answer
 * then, so CEL gives that error as always.
 */
function readableAsMap(identity: Readonly<Record<string, unknown>>): boolean {
  const kind: unknown = identity.constructor;
  return kind === Object || kind === undefined;
}

const NO_SLOTS: unknown[] = [];

/** Upper bound of the slots one evaluation needs: one per cel.bind. */
function countBinds(ast: unknown): number {
  if (Array.isArray(ast)) return ast.reduce((sum: number, item) => sum + countBinds(item), 0);
  if (typeof ast !== 'object' || ast === null) return 0;
  const { op, args } = ast as { op?: unknown; args?: unknown };
  if (typeof op !== 'string') return 0;
  return (op === 'rcall' && Array.isArray(args) && args[0] === 'bind' ? 1 : 0) + countBinds(args);
}

type Node = { readonly op: string; readonly args: unknown };

function node(ast: ASTNode, scope: Scope): Compiled | undefined {
  const { op, args } = ast as unknown as Node;
  switch (op) {
    case 'value':
      if (typeof args === 'string') return constant('string', args);
      if (typeof args === 'boolean') return constant('bool', args);
      return undefined;
    case 'id':
      return variable(args as string, scope);
    case '.':
      return attribute(args as [ASTNode, string], scope);
    case '+':
      return concat(args as [ASTNode, ASTNode], scope);
    case '==':
    case '!=':
      return equality(args as [ASTNode, ASTNode], op === '==', scope);
    case '&&':
    case '||':
      return junction(args as [ASTNode, ASTNode], op === '||', scope);
    case '!_':
      return not(args as ASTNode, scope);
    case '?:':
      return conditional(args as [ASTNode, ASTNode, ASTNode], scope);
    case 'list':
      return list(args as ASTNode[], scope);
    case '[]':
      return index(args as [ASTNode, ASTNode], scope);
    case 'rcall':
      return method(args as [string, ASTNode, ASTNode[]], scope);
    case 'call':
      return call(args as [string, ASTNode[]], scope);
    default:
      return undefined;
  }
}

function constant(kind: Kind, value: string | boolean): Compiled {
  return { kind, run: () => value };
}

/** A cel.bind variable (innermost wins, as in CEL). `identity` alone is not a value here, only `identity.x`. */
function variable(name: string, scope: Scope): Compiled | undefined {
  const slot = scope.names.lastIndexOf(name);
  if (slot < 0) return undefined;
  return { kind: scope.kinds[slot]!, run: (_identity, slots) => slots[slot] as FastValue };
}

/** `identity.x`: only a string the identity holds itself. */
function attribute([target, name]: [ASTNode, string], scope: Scope): Compiled | undefined {
  const { op, args } = target as unknown as Node;
  if (op !== 'id' || args !== 'identity' || scope.names.includes('identity')) return undefined;
  return {
    kind: 'string',
    run: (identity) => {
      const value = HAS.call(identity, name) ? identity[name] : undefined;
      return typeof value === 'string' ? value : undefined;
    },
  };
}

/** Both sides of a binary operator, compiled, when they are of `kind`. */
function pair(args: [ASTNode, ASTNode], scope: Scope, kind?: Kind): [Compiled, Compiled] | undefined {
  const left = node(args[0], scope);
  const right = node(args[1], scope);
  if (left === undefined || right === undefined || left.kind !== right.kind) return undefined;
  if (kind !== undefined && left.kind !== kind) return undefined;
  return [left, right];
}

function concat(args: [ASTNode, ASTNode], scope: Scope): Compiled | undefined {
  const both = pair(args, scope, 'string');
  if (both === undefined) return undefined;
  return { kind: 'string', run: whenBoth(both[0].run as Run<string>, both[1].run as Run<string>, (a, b) => a + b) };
}

function equality(args: [ASTNode, ASTNode], equal: boolean, scope: Scope): Compiled | undefined {
  const both = pair(args, scope);
  if (both === undefined || (both[0].kind !== 'string' && both[0].kind !== 'bool')) return undefined;
  return { kind: 'bool', run: whenBoth(both[0].run, both[1].run, (a, b) => (a === b) === equal) };
}

/** Both sides, left first (CEL's order), combined; no answer when either side has none. */
function whenBoth<A, R>(left: Run<A>, right: Run<A>, combine: (a: A, b: A) => R): Run<R> {
  return (identity, slots) => {
    const a = left(identity, slots);
    if (a === undefined) return undefined;
    const b = right(identity, slots);
    return b === undefined ? undefined : combine(a, b);
  };
}

/** `||` / `&&`: the left side decides alone when it can, as in CEL. */
function junction(args: [ASTNode, ASTNode], any: boolean, scope: Scope): Compiled | undefined {
  const both = pair(args, scope, 'bool');
  if (both === undefined) return undefined;
  const [left, right] = [both[0].run as Run<boolean>, both[1].run as Run<boolean>];
  return {
    kind: 'bool',
    run: (identity, slots) => {
      const a = left(identity, slots);
      if (a === undefined) return undefined;
      return a === any ? a : right(identity, slots);
    },
  };
}

function not(arg: ASTNode, scope: Scope): Compiled | undefined {
  const inner = node(arg, scope);
  if (inner === undefined || inner.kind !== 'bool') return undefined;
  const run = inner.run as Run<boolean>;
  return {
    kind: 'bool',
    run: (identity, slots) => {
      const value = run(identity, slots);
      return value === undefined ? undefined : !value;
    },
  };
}

function conditional([test, yes, no]: [ASTNode, ASTNode, ASTNode], scope: Scope): Compiled | undefined {
  const condition = node(test, scope);
  const both = pair([yes, no], scope);
  if (condition === undefined || condition.kind !== 'bool' || both === undefined) return undefined;
  const decide = condition.run as Run<boolean>;
  const [then, otherwise] = [both[0].run, both[1].run];
  return {
    kind: both[0].kind,
    run: (identity, slots) => {
      const value = decide(identity, slots);
      if (value === undefined) return undefined;
      return value ? then(identity, slots) : otherwise(identity, slots);
    },
  };
}

/** A list literal of strings: a new array each time (a mapping's value is never shared). */
function list(items: ASTNode[], scope: Scope): Compiled | undefined {
  const runs: Run<string>[] = [];
  for (const item of items) {
    const compiled = node(item, scope);
    if (compiled === undefined || compiled.kind !== 'string') return undefined;
    runs.push(compiled.run as Run<string>);
  }
  return {
    kind: 'list',
    run: (identity, slots) => {
      const out = new Array<string>(runs.length);
      for (let i = 0; i < runs.length; i++) {
        const value = runs[i]!(identity, slots);
        if (value === undefined) return undefined;
        out[i] = value;
      }
      return out;
    },
  };
}

/** `list[n]` with an int literal n; outside the list is CEL's error, so no answer. */
function index([target, at]: [ASTNode, ASTNode], scope: Scope): Compiled | undefined {
  const compiled = node(target, scope);
  const { op, args } = at as unknown as Node;
  if (compiled === undefined || compiled.kind !== 'list' || op !== 'value' || typeof args !== 'bigint') return undefined;
  const position = Number(args);
  const run = compiled.run as Run<string[]>;
  return {
    kind: 'string',
    run: (identity, slots) => {
      const items = run(identity, slots);
      return items === undefined || position < 0 || position >= items.length ? undefined : items[position];
    },
  };
}

function method([name, receiver, args]: [string, ASTNode, ASTNode[]], scope: Scope): Compiled | undefined {
  const { op, args: id } = receiver as unknown as Node;
  if (name === 'bind' && op === 'id' && id === 'cel') return bind(args, scope);
  const target = node(receiver, scope);
  if (target === undefined || target.kind !== 'string') return undefined;
  const self = target.run as Run<string>;
  const operands: Run<string>[] = [];
  for (const arg of args) {
    const compiled = node(arg, scope);
    if (compiled === undefined || compiled.kind !== 'string') return undefined;
    operands.push(compiled.run as Run<string>);
  }
  const transform = HAS.call(STRING_METHODS, name) ? STRING_METHODS[name] : undefined;
  if (transform !== undefined && operands.length === 0) {
    return { kind: 'string', run: (identity, slots) => { const s = self(identity, slots); return s === undefined ? undefined : transform(s); } };
  }
  const test = HAS.call(STRING_TESTS, name) ? STRING_TESTS[name] : undefined;
  const [first, second] = operands;
  if (test !== undefined && first !== undefined && operands.length === 1) {
    return {
      kind: 'bool',
      run: (identity, slots) => {
        const s = self(identity, slots);
        const t = s === undefined ? undefined : first(identity, slots);
        return t === undefined ? undefined : test(s!, t);
      },
    };
  }
  if (name === 'split' && first !== undefined && operands.length === 1) {
    return {
      kind: 'list',
      run: (identity, slots) => {
        const s = self(identity, slots);
        const separator = s === undefined ? undefined : first(identity, slots);
        return separator === undefined ? undefined : s!.split(separator);
      },
    };
  }
  if (name === 'replace' && first !== undefined && second !== undefined && operands.length === 2) {
    return {
      kind: 'string',
      run: (identity, slots) => {
        const s = self(identity, slots);
        const from = s === undefined ? undefined : first(identity, slots);
        const to = from === undefined ? undefined : second(identity, slots);
        return to === undefined ? undefined : replaceText(s!, from!, to);
      },
    };
  }
  return undefined;
}

/** `cel.bind(name, value, body)`: the value is computed first (as cel-js does), then the body sees it. */
function bind(args: ASTNode[], scope: Scope): Compiled | undefined {
  const [variableNode, valueNode, body] = args;
  if (variableNode === undefined || valueNode === undefined || body === undefined || args.length !== 3) return undefined;
  const { op, args: name } = variableNode as unknown as Node;
  if (op !== 'id' || typeof name !== 'string') return undefined;
  const value = node(valueNode, scope);
  if (value === undefined) return undefined;
  const slot = scope.names.length;
  const inner = node(body, { names: [...scope.names, name], kinds: [...scope.kinds, value.kind] });
  if (inner === undefined) return undefined;
  const [compute, run] = [value.run, inner.run];
  return {
    kind: inner.kind,
    run: (identity, slots) => {
      const bound = compute(identity, slots);
      if (bound === undefined) return undefined;
      slots[slot] = bound;
      return run(identity, slots);
    },
  };
}

/** `unique([...])`: the candidates, as the environment's unique() gives them. */
function call([name, args]: [string, ASTNode[]], scope: Scope): Compiled | undefined {
  if (name !== 'unique' || args.length !== 1) return undefined;
  const compiled = node(args[0]!, scope);
  if (compiled === undefined || compiled.kind !== 'list') return undefined;
  const run = compiled.run as Run<string[]>;
  return {
    kind: 'unique',
    run: (identity, slots) => {
      const candidates = run(identity, slots);
      return candidates === undefined ? undefined : new UniqueCandidates(candidates);
    },
  };
}
