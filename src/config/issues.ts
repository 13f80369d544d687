import type { z } from 'zod';
import { allowedKeys, closestKey } from './known-keys.js';
import type { KeyPlaces } from './misplaced-keys.js';
import type { ConfigProblem, PathSegment, ProblemLocator } from './problems.js';

/**
 * zod issues → located problems with messages that say what was expected.
 * Messages never quote the offending value (it may be a substituted secret),
 * only its kind.
 */

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  map: 'a mapping (key: value)',
  array: 'a list',
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describe(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const value = valueAt(input, issue.path);
      if (value === undefined) {
        const key = issue.path[issue.path.length - 1];
        return typeof key === 'string' ? `missing required key '${key}' (${expected})` : `expected ${expected}`;
      }
      // Infinity (`1e400`) or NaN: "expected a number, got a number" would say nothing.
      if (typeof value === 'number' && !Number.isFinite(value)) return `expected ${expected}, got ${String(value)} (out of range)`;
      return `expected ${expected}, got ${kindOf(value)}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `expected ${String(issue.values[0])}` : `expected one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `expected at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `expected at least ${issue.minimum} items`;
      return `expected a number >= ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`;
      return `expected a number <= ${issue.maximum}`;
    case 'invalid_format':
    case 'custom':
      return issue.message;
    case 'invalid_union':
      return 'does not match any of the allowed forms';
    default:
      return issue.message;
  }
}

function unknownKey(key: string, schema: z.ZodType | undefined, path: readonly PropertyKey[], elsewhere: readonly string[]): string {
  // The same name where the target's schema does allow it: written at the wrong level, not misspelt.
  if (elsewhere.length > 0) return `unknown key '${key}' (it belongs at ${elsewhere.join(' or ')})`;
  const allowed = schema === undefined ? undefined : allowedKeys(schema, path);
  if (allowed === undefined) return `unknown key '${key}'`;
  const suggestion = closestKey(key, allowed);
  return suggestion === undefined
    ? `unknown key '${key}' (allowed: ${allowed.join(', ')})`
    : `unknown key '${key}' (did you mean '${suggestion}'?)`;
}

/**
 * `prefix` is where the validated value sits in the file (e.g. a target's
 * connection); `schema` (the one that produced the issues) lets unknown keys
 * name the allowed ones; `places` where else a key of that name belongs
 * (misplaced-keys.ts).
 */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  locator: ProblemLocator,
  prefix: readonly PathSegment[] = [],
  schema?: z.ZodType,
  places?: KeyPlaces,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push(locator.at([...path, key], unknownKey(key, schema, issue.path, places?.(path as PathSegment[], key) ?? []), { onKey: true }));
      }
      continue;
    }
    problems.push(locator.at(path, describe(issue, input)));
  }
  return problems;
}
