import { standardAttributeName } from '../../core/attribute-names.js';
import { escapeDnValue, formatDn, normaliseDn, parseDn, type Rdn } from '../../core/dn.js';

export { DnSyntaxError, formatDn, normaliseDn, parseDn, type Ava, type Rdn } from '../../core/dn.js';

export function sameDn(a: string, b: string): boolean {
  return normaliseDn(a) === normaliseDn(b);
}

/**
 * The same DN spelled the same: escaping, how an attribute type is named
 * (case, alias or OID: the server answers `userid=` and `2.5.4.3=` as `uid=`
 * and `cn=`, so no rename could change it) and the order of a multi-valued
 * RDN's parts do not count, a value's case and spacing do (`uid=jsmith` and
 * `uid=JSmith` are one entry, named two ways).
 */
export function identicalDn(a: string, b: string): boolean {
  const exact = (dn: string) => formatDn(parseDn(dn).map((rdn) => rdn
    .map((ava) => ({ type: standardAttributeName(ava.type), value: ava.value }))
    .sort((x, y) => (x.type < y.type ? -1 : x.type > y.type ? 1 : 0))));
  return exact(a) === exact(b);
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

const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)\}/g;

/**
 * Fill `{name}` placeholders of a DN template with escaped values.
 * Returns the missing placeholder names instead of a DN when some are absent.
 * The result is in the form formatDn gives (every value escaped the one way).
 */
export function renderDnTemplate(template: string, values: (name: string) => string | undefined): { dn: string } | { missing: string[] } {
  const compiled = compiledTemplate(template);
  return compiled === undefined ? renderBySubstitution(template, values) : compiled(values);
}

/** The general way: escape each value into the template text, then parse and format the whole DN. */
function renderBySubstitution(template: string, values: (name: string) => string | undefined): { dn: string } | { missing: string[] } {
  const missing: string[] = [];
  const dn = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values(name);
    if (value === undefined || value === '') {
      missing.push(name);
      return '';
    }
    return escapeDnValue(value);
  });
  return missing.length > 0 ? { missing } : { dn: formatDn(parseDn(dn)) };
}

type CompiledTemplate = (values: (name: string) => string | undefined) => { dn: string } | { missing: string[] };

/** Marks a placeholder inside a parsed template value: private-use characters no DN syntax gives meaning to. */
const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
const MARK = /\uE000(\d+)\uE001/g;

const compiledTemplates = new Map<string, CompiledTemplate | undefined>();

/**
 * A template parsed once (a DN is rendered on every create and move): the
 * placeholders are put in as marks, the template is parsed, and rendering
 * fills each value's marks with raw text and escapes the value whole — what
 * renderBySubstitution's escape, parse and format come to, without parsing
 * the DN again each time. Undefined when the template is not a DN with marks
 * only inside values (or holds the mark characters): then the general way.
 */
function compiledTemplate(template: string): CompiledTemplate | undefined {
  if (compiledTemplates.has(template)) return compiledTemplates.get(template);
  const compiled = compile(template);
  if (compiledTemplates.size > 1000) compiledTemplates.clear();
  compiledTemplates.set(template, compiled);
  return compiled;
}

function compile(template: string): CompiledTemplate | undefined {
  // A backslash right before a placeholder escapes the value's first character in the general way, not a mark.
  if (template.includes(MARK_OPEN) || template.includes(MARK_CLOSE) || template.includes('\\{')) return undefined;
  const names: string[] = [];
  let rdns: Rdn[];
  try {
    rdns = parseDn(template.replace(PLACEHOLDER, (_, name: string) => `${MARK_OPEN}${names.push(name) - 1}${MARK_CLOSE}`));
  } catch {
    return undefined;
  }
  if (rdns.some((rdn) => rdn.some((ava) => ava.type.includes(MARK_OPEN)))) return undefined;
  if (!onlyOwnMarks(rdns, names.length)) return undefined;
  const segments = templateSegments(rdns);
  return (values) => {
    // Through UTF-8 and back, as the general way's parse does: a lone surrogate becomes U+FFFD.
    const raw: string[] = [];
    let missing: string[] | undefined;
    for (const name of names) {
      const value = values(name);
      if (value === undefined || value === '') (missing ??= []).push(name);
      raw.push(value === undefined ? '' : SURROGATE.test(value) ? Buffer.from(value, 'utf8').toString('utf8') : value);
    }
    if (missing !== undefined) return { missing };
    let dn = '';
    for (const segment of segments) {
      if (typeof segment === 'string') {
        dn += segment;
        continue;
      }
      let value = '';
      for (const part of segment.parts) value += typeof part === 'string' ? part : raw[part] ?? '';
      dn += `${segment.type}=${escapeDnValue(value)}`;
    }
    return { dn };
  };
}

/** Only a string with surrogate code units can change through UTF-8 and back (a lone one becomes U+FFFD). */
const SURROGATE = /[\uD800-\uDFFF]/;

/** An AVA with placeholders: its type, and its value as literal text (strings) and placeholder numbers. */
interface TemplateAva {
  readonly type: string;
  readonly parts: readonly (string | number)[];
}

/**
 * A parsed template as the text of its fixed parts, formatted once (AVAs
 * without placeholders, with their separators), and the AVAs to fill in.
 */
function templateSegments(rdns: readonly Rdn[]): (string | TemplateAva)[] {
  const segments: (string | TemplateAva)[] = [];
  const text = (part: string) => {
    const last = segments.at(-1);
    if (typeof last === 'string') segments[segments.length - 1] = last + part;
    else segments.push(part);
  };
  rdns.forEach((rdn, r) => {
    if (r > 0) text(',');
    rdn.forEach((ava, a) => {
      if (a > 0) text('+');
      // split with MARK's group: literal text at even indexes, placeholder numbers at odd ones.
      const pieces = ava.value.split(MARK);
      if (pieces.length === 1) text(`${ava.type}=${escapeDnValue(ava.value)}`);
      else segments.push({ type: ava.type, parts: pieces.map((piece, i) => (i % 2 === 0 ? piece : Number(piece))) });
    });
  });
  return segments;
}

/**
 * Do the parsed values hold exactly the `count` marks the template was given,
 * and no other mark character? The raw-character check misses marks written
 * hex-escaped (`\ee\80\80`), which parse into the same characters.
 */
function onlyOwnMarks(rdns: readonly Rdn[], count: number): boolean {
  const text = rdns.map((rdn) => rdn.map((ava) => ava.value).join('')).join('');
  const occurrences = (char: string) => text.split(char).length - 1;
  return (text.match(MARK) ?? []).length === count && occurrences(MARK_OPEN) === count && occurrences(MARK_CLOSE) === count;
}

/** The placeholder names a template uses. */
export function templateNames(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}
