import { escapeDnValue } from './escape.js';

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
 * A canonical form for comparing DNs: types and values lower-cased, escaping
 * made uniform, multi-valued RDNs sorted. Not for sending to a server.
 */
export function normaliseDn(dn: string): string {
  return formatDn(parseDn(dn).map((rdn) => rdn
    .map((ava) => ({ type: ava.type.toLowerCase(), value: ava.value.trim().replace(/\s+/g, ' ').toLowerCase() }))
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))));
}

export function sameDn(a: string, b: string): boolean {
  return normaliseDn(a) === normaliseDn(b);
}

/** The DN one level up ('' for a single RDN). */
export function parentDn(dn: string): string {
  return formatDn(parseDn(dn).slice(1));
}

/** Is `dn` equal to or below `base`? */
export function isUnder(dn: string, base: string): boolean {
  const child = parseDn(normaliseDn(dn));
  const parent = normaliseDn(base);
  return child.length >= parseDn(parent).length && formatDn(child.slice(child.length - parseDn(parent).length)) === parent;
}

/** The first value of the leaf RDN (e.g. the cn of a group). */
export function leafValue(dn: string): string | undefined {
  return parseDn(dn)[0]?.[0]?.value;
}

/**
 * Fill `{name}` placeholders of a DN template with escaped values.
 * Returns the missing placeholder names instead of a DN when some are absent.
 */
export function renderDnTemplate(template: string, values: (name: string) => string | undefined): { dn: string } | { missing: string[] } {
  const missing: string[] = [];
  const dn = template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (_, name: string) => {
    const value = values(name);
    if (value === undefined || value === '') {
      missing.push(name);
      return '';
    }
    return escapeDnValue(value);
  });
  return missing.length > 0 ? { missing } : { dn: formatDn(parseDn(dn)) };
}

/** The placeholder names a template uses. */
export function templateNames(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z0-9_.-]+)\}/g)].map((m) => m[1] ?? '');
}
