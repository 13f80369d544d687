/**
 * RFC 4514 (distinguished names) and RFC 4515 (search filters) escaping,
 * written by hand so that every value from HR data reaches the directory as
 * data, never as syntax.
 *
 * DN values are escaped with hex pairs (`\2c`, `\5c`, ...) rather than the
 * backslash-character form: both are RFC 4514, and the hex form never puts a
 * backslash right before a separating comma (ldapts splits a new DN at the
 * first comma that does not follow a backslash).
 */

const DN_SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';', '=']);

function hex(char: string): string {
  return [...Buffer.from(char, 'utf8')].map((byte) => `\\${byte.toString(16).padStart(2, '0')}`).join('');
}

/** A character to escape anywhere, a first character to escape, or a trailing space. */
const NEEDS_DN_ESCAPE = /[,+"\\<>;=\0]|^[# ]| $/;

/** Escape one attribute value for use in a DN (RFC 4514 section 2.4). */
export function escapeDnValue(value: string): string {
  // Most values (names, ids) need nothing: one test instead of a pass per character.
  if (!NEEDS_DN_ESCAPE.test(value)) return value;
  const chars = [...value];
  return chars.map((char, index) => {
    if (DN_SPECIAL.has(char) || char === '\0') return hex(char);
    if (index === 0 && (char === '#' || char === ' ')) return hex(char);
    if (index === chars.length - 1 && char === ' ') return hex(char);
    return char;
  }).join('');
}

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
