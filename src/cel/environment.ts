import { Environment } from '@marcbachmann/cel-js';
import { expandDefault } from './default-macro.js';
import { toAscii } from './transliterate.js';
import { UniqueCandidates } from './unique.js';

/** `s.initial()`: the first character (code point), or '' (shared with the fast path, fast.ts). */
export function initial(s: string): string {
  const first = s.codePointAt(0);
  return first === undefined ? '' : String.fromCodePoint(first);
}

/**
 * `s.replace(from, to)`: every occurrence; an empty `from` changes nothing
 * (shared with fast.ts). Not String.replaceAll, which reads `$&` and the
 * like in `to`; the split is skipped when there is nothing to replace.
 */
export function replaceText(s: string, from: string, to: string): string {
  return from === '' || !s.includes(from) ? s : s.split(from).join(to);
}

/**
 * The one CEL environment every Roster expression is compiled in.
 *
 * Variables:
 * - `identity`: map<string, dyn>, the identity's HR attributes (strings).
 * - `manager`: map<string, dyn>, the manager's attributes; an EMPTY map when
 *   the identity has no manager (test with `size(manager) == 0` or `has(manager.x)`).
 * - `managerAccount`: map<string, dyn>, in a target's attribute mappings: the
 *   manager's account in that target, `{ id, attributes, enabled }` (`id` is
 *   the target's own id for it: entryUUID, objectGUID, a SCIM id); an EMPTY
 *   map when the manager has no account there yet (a plan after the one that
 *   creates it fills it in). Elsewhere always empty.
 * - `now`: timestamp of the evaluation.
 *
 * Missing attributes: reading a key the map does not hold (`identity.phone`
 * for a record without a phone) is an evaluation error ("No such key"), which
 * the policy engine records as a diagnostic for that identity. Guard with
 * `has(identity.phone)`, use `default(identity.phone, "")`, or optional
 * chaining `identity.?phone.orValue("")`.
 *
 * Built into cel-js already: size, contains, startsWith, endsWith, matches,
 * lowerAscii, upperAscii, trim, split, join, substring, indexOf, timestamp,
 * duration, has, all/exists/map/filter, cel.bind.
 * Added here: ascii(), initial(), replace(a, b), default(v, fallback), unique(list).
 * Limits checked at load (limits.ts): matches() takes a string literal in
 * RE2 syntax (no backreferences or lookaround) and runs in linear time;
 * comprehensions nest at most two deep, the inner one over a list literal.
 */
export function createRosterEnvironment(): Environment {
  return new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
    .registerVariable('identity', 'map<string, dyn>')
    .registerVariable('manager', 'map<string, dyn>')
    .registerVariable('managerAccount', 'map<string, dyn>')
    .registerVariable('now', 'google.protobuf.Timestamp')
    .registerType('UniqueCandidates', UniqueCandidates)
    .registerFunction('string.ascii(): string', (s: string) => toAscii(s))
    .registerFunction('string.initial(): string', initial)
    .registerFunction('string.replace(string, string): string', replaceText)
    .registerFunction('unique(list<string>): UniqueCandidates', (list: readonly unknown[]) => {
      for (const item of list) {
        if (typeof item !== 'string') throw new Error(`unique() takes strings, got ${typeof item}`);
      }
      return new UniqueCandidates(list as readonly string[]);
    })
    .registerFunction('default(ast, ast): dyn', expandDefault);
}
