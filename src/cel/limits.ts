import { setFlagsFromString } from 'node:v8';
import type { ASTNode } from '@marcbachmann/cel-js';
import type { CelProblem } from './index.js';

/**
 * Load-time limits that keep one expression from hanging the engine; the
 * checker runs them on every expression after the type check (so a config
 * that breaks them is a load error with a position, not a hang at plan time).
 *
 * - `s.matches(pattern)`: the pattern must be a string literal, a valid
 *   regular expression, and one V8's linear-time engine can run (CEL's
 *   patterns are RE2 syntax, which has no backreferences or lookaround).
 *   cel-js builds `new RegExp(pattern)`; with the flag below V8 switches such
 *   a pattern to its linear engine when it starts to backtrack, so
 *   `^(a+)+$` on a crafted HR value answers in linear time instead of never.
 * - Comprehensions (all, exists, exists_one, map, filter) nest at most two
 *   deep, and the inner one must range over a list literal (≤ 1000 items, a
 *   cel-js limit): the work stays linear in the identity's data. Ranging over
 *   data inside a loop over data (`a.all(x, b.exists(y, x == y))`) is the
 *   quadratic shape; `x in b` does the same in one pass.
 * cel-js itself bounds the size of the AST (100,000 nodes), its depth (250)
 * and list literals (1,000 items).
 */
setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

interface Node { readonly op: string; readonly args: unknown; readonly start?: number; readonly pos?: number }

function at(node: Node, message: string): CelProblem {
  const offset = node.start ?? node.pos;
  return offset === undefined ? { message } : { message, offset };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string';
}

/** A macro call `range.name(var, ...)`: the range and the rest (the variable first). */
function comprehension(node: Node): { range: Node; body: readonly unknown[] } | undefined {
  if (node.op !== 'rcall' || !Array.isArray(node.args)) return undefined;
  const [name, range, args] = node.args as [unknown, unknown, unknown];
  if (typeof name !== 'string' || !COMPREHENSIONS.has(name) || !isNode(range) || !Array.isArray(args)) return undefined;
  const [variable] = args as unknown[];
  if (args.length < 2 || !isNode(variable) || variable.op !== 'id') return undefined;
  return { range, body: args };
}

function checkPattern(node: Node): CelProblem | undefined {
  const [, , args] = node.args as [string, unknown, unknown[]];
  const pattern = Array.isArray(args) ? args[0] : undefined;
  if (!isNode(pattern) || pattern.op !== 'value' || typeof pattern.args !== 'string') {
    return at(isNode(pattern) ? pattern : node, 'matches() takes a string literal pattern (a pattern computed at run time could take forever on some input)');
  }
  const source = pattern.args;
  try {
    new RegExp(source);
  } catch (error) {
    return at(pattern, `matches(): invalid regular expression: ${(error as Error).message}`);
  }
  try {
    new RegExp(source, 'l');
  } catch {
    return at(pattern, 'matches(): the pattern uses a backreference or lookaround, which CEL (RE2 syntax) does not have and which can take exponential time');
  }
  return undefined;
}

/** `depth`: comprehensions around this node. */
function walk(value: unknown, depth: number): CelProblem | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = walk(item, depth);
      if (problem) return problem;
    }
    return undefined;
  }
  if (!isNode(value)) return undefined;
  if (value.op === 'rcall' && Array.isArray(value.args) && value.args[0] === 'matches') {
    const problem = checkPattern(value);
    if (problem) return problem;
  }
  const loop = comprehension(value);
  if (loop === undefined) return walk(value.args, depth);
  if (depth >= 2) return at(value, 'comprehensions nest at most two deep (the work would grow with the power of the data)');
  if (depth === 1 && loop.range.op !== 'list') {
    return at(loop.range, 'a comprehension inside another must range over a list literal (use `x in list` for membership): ' +
      'ranging over data inside a loop over data is quadratic');
  }
  return walk(loop.range, depth) ?? walk(loop.body, depth + 1);
}

/** The first limit the checked expression breaks, or undefined. */
export function checkLimits(ast: ASTNode): CelProblem | undefined {
  return walk(ast, 0);
}
