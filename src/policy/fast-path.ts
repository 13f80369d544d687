import type { CelVars, CompiledExpression, MappingValue } from '../cel/index.js';
import { fastConcatenation, fastJunction } from './fast-expr.js';

/**
 * Most conditions and mappings in real configs are one attribute read or one
 * equality (`identity.department == "Engineering"`, `identity.email`). Over
 * 100,000 identities × dozens of expressions, skipping the CEL interpreter
 * for those is most of the policy's time. The fast path only answers when
 * the attribute is a string (where the result is certain); anything else
 * (missing key, numbers, lists) goes to CEL, which gives the same answer or
 * the same error as always.
 */
const READ = /^\s*identity\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;
const EQUALS = /^\s*identity\.([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=)\s*"([^"\\]*)"\s*$/;
const MEMBER = /^\s*identity\.([A-Za-z_][A-Za-z0-9_]*)\s+in\s+\[\s*("[^"\\]*"(?:\s*,\s*"[^"\\]*")*)\s*\]\s*$/;
const HAS = Object.prototype.hasOwnProperty;

function fastMember(compiled: CompiledExpression<boolean>): CompiledExpression<boolean> {
  const match = MEMBER.exec(compiled.source);
  if (!match) return fastJunction(compiled);
  const name = match[1] ?? '';
  // The items are read as literals, not split at commas: "Washington, DC" is one item.
  const members = new Set([...(match[2] ?? '').matchAll(/"([^"\\]*)"/g)].map((item) => item[1] ?? ''));
  return {
    source: compiled.source,
    evaluate(vars: CelVars): boolean {
      const value = HAS.call(vars.identity, name) ? vars.identity[name] : undefined;
      return typeof value === 'string' ? members.has(value) : compiled.evaluate(vars);
    },
  };
}

export function fastCondition(compiled: CompiledExpression<boolean>): CompiledExpression<boolean> {
  const match = EQUALS.exec(compiled.source);
  if (!match) return fastMember(compiled);
  const [, name = '', operator, literal] = match;
  const equal = operator === '==';
  return {
    source: compiled.source,
    evaluate(vars: CelVars): boolean {
      const value = HAS.call(vars.identity, name) ? vars.identity[name] : undefined;
      if (typeof value !== 'string') return compiled.evaluate(vars);
      return (value === literal) === equal;
    },
  };
}

export function fastMapping(compiled: CompiledExpression<MappingValue>): CompiledExpression<MappingValue> {
  const match = READ.exec(compiled.source);
  if (!match) return fastConcatenation(compiled);
  const name = match[1] ?? '';
  return {
    source: compiled.source,
    evaluate(vars: CelVars): MappingValue {
      const value = HAS.call(vars.identity, name) ? vars.identity[name] : undefined;
      return typeof value === 'string' ? value : compiled.evaluate(vars);
    },
  };
}
