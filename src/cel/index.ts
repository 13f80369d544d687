import type { ParseResult } from '@marcbachmann/cel-js';
import { RosterError } from '../core/errors.js';
import { describeValue, toPlainValue, type MappingValue } from './convert.js';
import { createRosterEnvironment } from './environment.js';
import { compileFast } from './fast.js';
import { checkLimits } from './limits.js';

export { UniqueCandidates } from './unique.js';
export { toAscii } from './transliterate.js';
export type { MappingValue } from './convert.js';

/**
 * CEL for Roster: conditions (target scope, role `when`) and mappings
 * (target attributes). See environment.ts for the variables and helper
 * functions every expression can use, and for how missing attributes behave:
 * `identity.x` on a record without x fails evaluation for that identity
 * ('expression.failed'); guard with `has(identity.x)` or use
 * `default(identity.x, "fallback")` (also covers null and "").
 */

export interface CelVars {
  readonly identity: Readonly<Record<string, unknown>>;
  /** The manager's attributes; null/undefined is seen by expressions as an empty map. */
  readonly manager?: Readonly<Record<string, unknown>> | null;
  /**
   * Target attribute mappings only: the manager's account in the target being
   * mapped ({ id, attributes, enabled }); null/undefined is an empty map.
   */
  readonly managerAccount?: Readonly<Record<string, unknown>> | null;
  /** Defaults to the time of evaluation. */
  readonly now?: Date;
}

export interface CompiledExpression<T> {
  readonly source: string;
  evaluate(vars: CelVars): T;
}

export interface CelProblem {
  readonly message: string;
  /** Offset into the source of the fault, when known. */
  readonly offset?: number;
}

export type ExpressionKind = 'condition' | 'mapping';

interface CelError {
  readonly code?: string;
  readonly summary?: string;
  readonly message: string;
  readonly range?: { readonly start: number };
}

const environment = createRosterEnvironment();
const NO_MANAGER: Readonly<Record<string, unknown>> = Object.freeze({});
/** Types a mapping may not produce (everything else converts to a plain value). */
const NOT_MAPPABLE = /^(map(<.*>)?|bytes|google\.protobuf\.Duration|type)$/;

/** Bound on the cache so expressions typed at run time cannot grow it forever. */
const MAX_CACHED = 10_000;
const programs = new Map<string, { readonly program?: ParseResult; readonly problem?: CelProblem; readonly type?: string }>();

function celError(error: unknown): CelError {
  return error instanceof Error ? (error as CelError) : { message: String(error) };
}

/** Parse and type-check once per source text. */
function analyse(source: string): { readonly program?: ParseResult; readonly problem?: CelProblem; readonly type?: string } {
  const cached = programs.get(source);
  if (cached) return cached;
  let entry: { readonly program?: ParseResult; readonly problem?: CelProblem; readonly type?: string };
  try {
    const program = environment.parse(source);
    const checked = program.check();
    if (!checked.valid) entry = { problem: toProblem(celError(checked.error)) };
    else {
      const limit = checkLimits(program.ast);
      entry = limit ? { problem: limit } : { program, type: checked.type ?? 'dyn' };
    }
  } catch (error) {
    entry = { problem: toProblem(celError(error)) };
  }
  if (programs.size >= MAX_CACHED) programs.clear();
  programs.set(source, entry);
  return entry;
}

function toProblem(error: CelError): CelProblem {
  const offset = error.range?.start;
  return offset === undefined ? { message: error.message } : { message: error.message, offset };
}

/** Type-check an expression; undefined when it is fine. Never throws. */
export function checkExpression(source: string, kind: ExpressionKind): CelProblem | undefined {
  if (source.trim() === '') return { message: 'the expression is empty', offset: 0 };
  const { problem, type } = analyse(source);
  if (problem) return problem;
  if (kind === 'condition' && type !== 'bool') {
    const hint = type === 'dyn' ? ' (an attribute is dyn: compare it, e.g. identity.x == "yes")' : '';
    return { message: `a condition must be a bool expression, this one is ${type}${hint}`, offset: 0 };
  }
  if (kind === 'mapping' && type !== undefined && NOT_MAPPABLE.test(type)) {
    return { message: `a mapping must give a string, number, bool, null or list, this one gives ${type}`, offset: 0 };
  }
  return undefined;
}

function compile(source: string, kind: ExpressionKind): ParseResult {
  const problem = checkExpression(source, kind);
  if (problem) {
    throw new RosterError('config.invalid', `invalid ${kind}: ${problem.message}`, { details: { offset: problem.offset } });
  }
  const { program } = analyse(source);
  if (!program) throw new RosterError('internal', `expression was not compiled: ${source}`);
  return program;
}

function failure(label: string, source: string, what: string, cause?: unknown): RosterError {
  return new RosterError('expression.failed', `${label}: ${what} in \`${source}\``, { cause, details: { source } });
}

function explainEvaluationError(error: CelError): string {
  const what = error.summary ?? error.message.split('\n')[0] ?? 'evaluation failed';
  if (error.code === 'no_such_key') {
    return `${what} (the attribute is missing; guard with has(...) or default(..., fallback))`;
  }
  return what;
}

/**
 * cel-js reads an object as a map only when its `constructor` is Object or
 * absent: a record with an attribute named "constructor" (an HR column, a
 * target attribute) would fail every read ("Unsupported type"). Such an
 * object goes in as a Map of its own entries (nested ones too), which cel-js
 * reads as the same map.
 */
function asMap(value: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown> {
  const kind: unknown = value.constructor;
  let converted: Map<string, unknown> | undefined = kind === Object || kind === undefined ? undefined : new Map();
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = value[key];
    const inner = isRecord(item) ? asMap(item) : item;
    if (inner !== item && converted === undefined) converted = new Map(keys.slice(0, i).map((k) => [k, value[k]]));
    converted?.set(key, inner);
  }
  return converted ?? value;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function run(program: ParseResult, vars: CelVars, label: string, source: string): unknown {
  try {
    return program({
      identity: asMap(vars.identity), manager: asMap(vars.manager ?? NO_MANAGER), managerAccount: asMap(vars.managerAccount ?? NO_MANAGER),
      now: vars.now ?? new Date(),
    });
  } catch (error) {
    throw failure(label, source, explainEvaluationError(celError(error)), error);
  }
}

/**
 * Compile a condition (must type-check to bool). `label` prefixes evaluation
 * failures, e.g. 'role engineering' → "role engineering: No such key: x in `…`".
 * Throws RosterError('config.invalid', …, { details: { offset } }).
 * Conditions and mappings in fast.ts's subset are answered without the
 * interpreter when fast.ts is sure of the answer; CEL decides everything else.
 */
export function compileCondition(source: string, label = 'condition'): CompiledExpression<boolean> {
  const program = compile(source, 'condition');
  const fast = compileFast(program.ast, 'condition');
  return {
    source,
    evaluate(vars: CelVars): boolean {
      if (fast !== undefined) {
        const answer = fast(vars.identity);
        if (answer !== undefined) return answer as boolean;
      }
      const result = run(program, vars, label, source);
      if (typeof result !== 'boolean') throw failure(label, source, `expected a bool, got ${describeValue(result)}`);
      return result;
    },
  };
}

/**
 * Compile a mapping. The result is a string, number (CEL ints become
 * numbers), bool, null, list of those, or UniqueCandidates from unique([...]).
 * Timestamps become ISO strings; an optional becomes its value or null.
 */
export function compileMapping(source: string, label = 'mapping'): CompiledExpression<MappingValue> {
  const program = compile(source, 'mapping');
  const fast = compileFast(program.ast, 'mapping');
  return {
    source,
    evaluate(vars: CelVars): MappingValue {
      if (fast !== undefined) {
        const answer = fast(vars.identity);
        if (answer !== undefined) return answer;
      }
      const result = run(program, vars, label, source);
      const plain = toPlainValue(result);
      if (plain === undefined) {
        throw failure(label, source, `a mapping cannot produce a ${describeValue(result)}`);
      }
      return plain;
    },
  };
}
