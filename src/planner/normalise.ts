import { STANDARD_ALIASES } from '../core/attribute-names.js';
import { dnKey } from '../core/dn.js';
import type { Change, ChangeAction } from '../core/types.js';

/**
 * Normalise values before comparing desired with actual, so that what a
 * target stores differently (or fills in by default) does not look like a
 * change forever:
 * - strings are trimmed; '' and [] are the same as null, and so is undefined;
 * - a numeric string equals the number ("42" = 42; integers past 2^53 by their digits), "true"/"false" equal booleans
 *   (SCIM peers send booleans as strings);
 * - emails and LDAP DNs compare case-insensitively (and DNs without blanks after commas);
 * - arrays compare order-insensitively, and a one-element array equals its element
 *   (multi-valued LDAP attributes).
 */

const NUMERIC = /^-?\d+(\.\d+)?$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
/** RDN values may hold escaped characters (`CN=Doe\, John`): an escape never ends a value. */
const DN = /^[a-z][\w-]*=(?:[^,=\\]|\\.)+(\s*,\s*[a-z][\w-]*=(?:[^,=\\]|\\.)+)*$/i;
/** Blanks around an RDN separator (a comma not escaped). */
const SEPARATOR = /\s*(?<!\\),\s*/g;
const MAIL_NAME = /mail/i;
const NULL = '\u2205';

function comparableString(text: string, name: string): string {
  const t = text.trim();
  if (t === '') return NULL;
  if (NUMERIC.test(t)) return numberKey(t);
  const lower = t.toLowerCase();
  if (lower === 'true' || lower === 'false') return `b:${lower}`;
  if (EMAIL.test(t) || MAIL_NAME.test(name)) return `s:${lower}`;
  if (DN.test(t)) return `s:${lower.replace(SEPARATOR, ',')}`;
  return `s:${t}`;
}

/**
 * A numeric string's key: its number, except for an integer past 2^53, whose
 * digits (without leading zeros) are kept: a double would round
 * 12345678901234567891 and …890 to one value, and hide a change.
 */
function numberKey(t: string): string {
  const n = Number(t);
  if (Number.isSafeInteger(n) || t.includes('.')) return `n:${n}`;
  const digits = t.replace(/^-?0*/, '');
  return `n:${t.startsWith('-') ? '-' : ''}${digits}`;
}

/** A string that is equal for two values exactly when they should be treated as the same. */
export function comparable(value: unknown, name = ''): string {
  if (value === null || value === undefined) return NULL;
  switch (typeof value) {
    case 'string':
      return comparableString(value, name);
    case 'number':
      return `n:${value}`;
    case 'boolean':
      return `b:${value}`;
    default:
      break;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return NULL;
    if (value.length === 1) return comparable(value[0], name);
    return `a:${JSON.stringify(value.map((v) => comparable(v, name)).sort())}`;
  }
  if (value instanceof Date) return `s:${value.toISOString()}`;
  return `o:${stableJson(value)}`;
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}

/** Same after normalisation (cheap when they are identical). */
export function sameValue(desired: unknown, actual: unknown, name = ''): boolean {
  if (desired === actual) return true;
  return comparable(desired, name) === comparable(actual, name);
}

/**
 * Entitlements (group names, DNs) compare trimmed and case-insensitively. A
 * DN spelled with escapes, quotes, a multi-valued RDN, non-ASCII text or an
 * attribute type named by alias or OID compares by its values (core/dn.ts normaliseDn): a role's
 * `cn=Smith\, John,ou=groups,…` is the `cn=Smith\2C John,…` a directory
 * reads back, and a reconcile no longer makes it a revoke and a grant on
 * every plan. Other texts (most) are not parsed.
 */
export function entitlementKey(entitlement: string): string {
  const text = entitlement.trim();
  const key = text.toLowerCase().replace(SEPARATOR, ',');
  // The DN as written, not lower-cased as a whole: JavaScript's whole-text rules (a final `Σ`, `İ`) are not the directory's.
  return DN_SPELLINGS.test(key) || DN_TYPE_NAMES.test(key) ? dnKey(text) ?? key : key;
}

/** What a DN may be spelled several ways with: an escape, a quote, a `+` (multi-valued RDN), non-ASCII text. */
const DN_SPELLINGS = /[\\"+]|[^\x00-\x7f]/;

/** An attribute type named by OID or by an alias (`2.5.4.3=Eng`, `commonName=Eng`): the directory answers it as `cn=Eng`. */
const DN_TYPE_NAMES = new RegExp(`(?:^|,)\\s*(?:\\d+(?:\\.\\d+)+|${Object.keys(STANDARD_ALIASES).join('|')})\\s*=`);

/** Entitlements without a second spelling of one (by entitlementKey: `CN=Eng,OU=G` and `cn=eng, ou=g`); the first is kept. A new array. */
export function distinctEntitlements(entitlements: readonly string[]): string[] {
  if (entitlements.length < 2) return [...entitlements];
  const seen = new Set<string>();
  return entitlements.filter((e) => {
    const k = entitlementKey(e);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A plan's `summary`: how many changes of each action. */
export function summaryOf(changes: readonly Change[]): Partial<Record<ChangeAction, number>> {
  const summary: Partial<Record<ChangeAction, number>> = {};
  for (const c of changes) summary[c.action] = (summary[c.action] ?? 0) + 1;
  return summary;
}
