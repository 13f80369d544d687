import type { ASTNode } from '@marcbachmann/cel-js';
import { createRosterEnvironment } from '../cel/environment.js';

/**
 * The identity fields a CEL expression reads: `identity.x`, `identity.?x`,
 * `identity["x"]`, `identity[?"x"]`, `"x" in identity`, and the same of
 * `manager` (the manager's identity), walked in the parsed AST as
 * src/cel/limits.ts walks it. Reads under has(), default(), `.?` and
 * orValue() are included: such a field may be absent, but its name must
 * still be one an identity can have. A comprehension or cel.bind variable
 * named `identity` or `manager` hides the outer one in its body.
 */

export type FieldVariable = 'identity' | 'manager';

export interface FieldRead {
  readonly variable: FieldVariable;
  readonly name: string;
  /** Offset of the name in the source. */
  readonly offset: number;
}

interface Node { readonly op: string; readonly args: unknown; readonly start?: number; readonly pos?: number }

const VARIABLES: ReadonlySet<string> = new Set<FieldVariable>(['identity', 'manager']);
const COMPREHENSIONS: ReadonlySet<string> = new Set(['all', 'exists', 'exists_one', 'map', 'filter', 'transformList', 'transformMap']);

const environment = createRosterEnvironment();

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string';
}

/** `identity` / `manager` as the variable itself (not one a comprehension rebinds). */
function variableOf(node: unknown, hidden: ReadonlySet<string>): FieldVariable | undefined {
  if (!isNode(node) || node.op !== 'id' || typeof node.args !== 'string') return undefined;
  return VARIABLES.has(node.args) && !hidden.has(node.args) ? (node.args as FieldVariable) : undefined;
}

function stringLiteral(node: unknown): (Node & { readonly args: string }) | undefined {
  return isNode(node) && node.op === 'value' && typeof node.args === 'string' ? (node as Node & { readonly args: string }) : undefined;
}

/** The variables a macro call binds (`list.all(x, …)`, `list.all(i, v, …)`, `cel.bind(x, init, body)`), with what they range over and the body. */
function binding(node: Node): { readonly bound: string[]; readonly outer: unknown[]; readonly body: unknown[] } | undefined {
  if (node.op !== 'rcall' || !Array.isArray(node.args)) return undefined;
  const [name, receiver, args] = node.args as [unknown, unknown, unknown];
  if (typeof name !== 'string' || !Array.isArray(args)) return undefined;
  const ids = (list: readonly unknown[]): string[] => list.filter((a): a is Node => isNode(a) && a.op === 'id' && typeof a.args === 'string').map((a) => a.args as string);
  if (name === 'bind' && isNode(receiver) && receiver.op === 'id' && receiver.args === 'cel' && args.length === 3) {
    return { bound: ids([args[0]]), outer: [args[1]], body: [args[2]] };
  }
  if (!COMPREHENSIONS.has(name) || args.length < 2) return undefined;
  // Two-variable forms (index/key and value) when the second argument is a bare name and more follow.
  const two = args.length >= 3 && isNode(args[1]) && args[1].op === 'id';
  return { bound: ids(two ? [args[0], args[1]] : [args[0]]), outer: [receiver], body: args.slice(two ? 2 : 1) };
}

function walk(value: unknown, hidden: ReadonlySet<string>, reads: FieldRead[]): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, hidden, reads);
    return;
  }
  if (!isNode(value)) return;
  const args = value.args;
  if ((value.op === '.' || value.op === '.?') && Array.isArray(args) && typeof args[1] === 'string') {
    const variable = variableOf(args[0], hidden);
    if (variable !== undefined) {
      reads.push({ variable, name: args[1], offset: value.pos ?? value.start ?? 0 });
      return;
    }
  }
  if ((value.op === '[]' || value.op === '[?]') && Array.isArray(args)) {
    const variable = variableOf(args[0], hidden);
    const literal = stringLiteral(args[1]);
    if (variable !== undefined && literal !== undefined) {
      reads.push({ variable, name: literal.args, offset: (literal.start ?? literal.pos ?? 0) + 1 });
      return;
    }
  }
  if (value.op === 'in' && Array.isArray(args)) {
    const variable = variableOf(args[1], hidden);
    const literal = stringLiteral(args[0]);
    if (variable !== undefined && literal !== undefined) {
      reads.push({ variable, name: literal.args, offset: (literal.start ?? literal.pos ?? 0) + 1 });
      return;
    }
  }
  const bound = binding(value);
  if (bound === undefined) {
    walk(args, hidden, reads);
    return;
  }
  walk(bound.outer, hidden, reads);
  const inner = bound.bound.some((name) => VARIABLES.has(name)) ? new Set([...hidden, ...bound.bound]) : hidden;
  walk(bound.body, inner, reads);
}

/** The identity and manager fields `source` reads, in source order; none when it does not parse (the type check reports that). */
export function fieldReads(source: string): FieldRead[] {
  let ast: ASTNode;
  try {
    ast = environment.parse(source).ast;
  } catch {
    return [];
  }
  const reads: FieldRead[] = [];
  walk(ast, new Set(), reads);
  return reads.sort((a, b) => a.offset - b.offset);
}
