/**
 * RFC 4514 (distinguished names) and RFC 4515 (search filters) escaping,
 * written by hand so that every value from HR data reaches the directory as
 * data, never as syntax. DN escaping lives with DN parsing in core/dn.ts.
 */

export { escapeDnValue } from '../../core/dn.js';

/** Escape a value for an RFC 4515 filter: `* ( ) \ NUL` as hex pairs; other UTF-8 text stays as it is. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const char of value) {
    switch (char) {
      case '*': out += '\\2a'; break;
      case '(': out += '\\28'; break;
      case ')': out += '\\29'; break;
      case '\\': out += '\\5c'; break;
      case '\0': out += '\\00'; break;
      default: out += char;
    }
  }
  return out;
}

/** Every byte as a hex pair: the filter form of a binary value such as objectGUID. */
export function escapeFilterBytes(bytes: Uint8Array): string {
  return [...bytes].map((byte) => `\\${byte.toString(16).padStart(2, '0')}`).join('');
}

const ATTRIBUTE = /^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)*)$/;

/** An attribute description from config: letters, digits, hyphens (or an OID); anything else is refused. */
export function isAttributeName(name: string): boolean {
  return ATTRIBUTE.test(name);
}

function assertAttribute(name: string): string {
  if (!isAttributeName(name)) throw new Error(`not an LDAP attribute name: ${JSON.stringify(name)}`);
  return name;
}

/** `(attribute=value)` with the value escaped. */
export function equalityFilter(attribute: string, value: string): string {
  return `(${assertAttribute(attribute)}=${escapeFilterValue(value)})`;
}

export function andFilter(...filters: readonly string[]): string {
  return filters.length === 1 ? filters[0] ?? '' : `(&${filters.join('')})`;
}

export function orFilter(...filters: readonly string[]): string {
  return filters.length === 1 ? filters[0] ?? '' : `(|${filters.join('')})`;
}

/** `(objectClass=a)(objectClass=b)...` joined with &. */
export function objectClassFilter(objectClasses: readonly string[]): string {
  return andFilter(...objectClasses.map((oc) => equalityFilter('objectClass', oc)));
}
