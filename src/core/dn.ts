/**
 * RFC 4514 distinguished names as text: parsing, formatting, escaping and a
 * canonical form for comparing. Pure string code, shared by the directory
 * connectors (connectors/directory/dn.ts re-exports it) and the planner,
 * which compares DN-shaped entitlements by it (planner/normalise.ts).
 *
 * DN values are escaped with hex pairs (`\2c`, `\5c`, ...) rather than the
 * backslash-character form: both are RFC 4514, and the hex form never puts a
 * backslash right before a separating comma (ldapts splits a new DN at the
 * first comma that does not follow a backslash).
 */

import { standardAttributeName } from './attribute-names.js';
import { caseIgnoreKey } from './string-prep.js';

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

/** One attribute-value assertion of an RDN; the value is unescaped text. */
export interface Ava {
  readonly type: string;
  readonly value: string;
}
export type Rdn = readonly Ava[];

export class DnSyntaxError extends Error {
  constructor(dn: string, reason: string) {
    super(`invalid DN ${JSON.stringify(dn)}: ${reason}`);
    this.name = 'DnSyntaxError';
  }
}

const HEX = /^[0-9a-fA-F]{2}$/;

/** Parse an RFC 4514 DN string into RDNs (most specific first), unescaping values. */
export function parseDn(dn: string): Rdn[] {
  const rdns: Rdn[] = [];
  if (dn.trim() === '') return rdns;
  let ava: { type: string; bytes: number[] } | undefined;
  let rdn: Ava[] = [];
  let i = 0;
  const finishAva = (trailingSpaces: number) => {
    if (ava === undefined) throw new DnSyntaxError(dn, 'empty component');
    const bytes = trailingSpaces > 0 ? ava.bytes.slice(0, ava.bytes.length - trailingSpaces) : ava.bytes;
    rdn.push({ type: ava.type, value: Buffer.from(bytes).toString('utf8') });
    ava = undefined;
  };
  while (i <= dn.length) {
    // attribute type
    while (dn[i] === ' ') i++;
    const eq = dn.indexOf('=', i);
    if (eq < 0) throw new DnSyntaxError(dn, `missing "=" after position ${i}`);
    const type = dn.slice(i, eq).trim();
    if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)*)$/.test(type)) throw new DnSyntaxError(dn, `bad attribute type ${JSON.stringify(type)}`);
    i = eq + 1;
    while (dn[i] === ' ') i++;
    ava = { type, bytes: [] };
    let trailing = 0;
    let end: string | undefined;
    while (i < dn.length) {
      const char = dn[i] ?? '';
      if (char === ',' || char === '+' || char === ';') { end = char; i++; break; }
      if (char === '\\') {
        const pair = dn.slice(i + 1, i + 3);
        if (HEX.test(pair)) { ava.bytes.push(parseInt(pair, 16)); i += 3; }
        else if (i + 1 < dn.length) { ava.bytes.push(...Buffer.from(dn[i + 1] ?? '', 'utf8')); i += 2; }
        else throw new DnSyntaxError(dn, 'dangling backslash');
        trailing = 0;
        continue;
      }
      const code = dn.codePointAt(i) ?? 0;
      trailing = char === ' ' ? trailing + 1 : 0;
      if (code < 0x80) {
        // ASCII is one UTF-8 byte: no Buffer per character (DNs are parsed on every write).
        ava.bytes.push(code);
        i += 1;
        continue;
      }
      const text = String.fromCodePoint(code);
      ava.bytes.push(...Buffer.from(text, 'utf8'));
      i += text.length;
    }
    finishAva(trailing);
    if (end === '+') continue;
    rdns.push(rdn);
    rdn = [];
    if (end === undefined) break;
  }
  return rdns;
}

/** RDNs back to a DN string, every value escaped (hex form). */
export function formatDn(rdns: readonly Rdn[]): string {
  return rdns.map((rdn) => rdn.map((ava) => `${ava.type}=${escapeDnValue(ava.value)}`).join('+')).join(',');
}

/**
 * A canonical form for comparing DNs: each attribute type by the name a
 * server answers with (slapd stores `2.5.4.3=Staff` and `commonName=Staff` as
 * `cn=Staff`), lower-cased; values by the string preparation of
 * caseIgnoreMatch (string-prep.ts caseIgnoreKey: NFKC, spaces, case per
 * character, as slapd does: it holds `Zoë` written decomposed, `ﬁn` for
 * `fin` and `cn=İstanbul` for `cn=istanbul` as the same); escaping made
 * uniform, multi-valued RDNs sorted. Not for sending to a server.
 */
export function normaliseDn(dn: string): string {
  return formatDn(parseDn(dn).map((rdn) => rdn
    .map((ava) => ({ type: standardAttributeName(ava.type), value: caseIgnoreKey(ava.value) }))
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))));
}

/** normaliseDn of a text that may not be a DN: undefined when it does not parse as one. */
export function dnKey(text: string): string | undefined {
  try {
    return text.includes('=') ? normaliseDn(text) : undefined;
  } catch (error) {
    if (error instanceof DnSyntaxError) return undefined;
    throw error;
  }
}
