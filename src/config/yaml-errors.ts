import { isCollection, isPair, isScalar, isSeq, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { formatPath, type ConfigProblem, type PathSegment, type ProblemLocator } from './problems.js';

/**
 * roster.yaml that is not valid YAML: one problem per YAML error, except for
 * the commonest cause of a cascade of them. In a flow collection
 * (`{ … }` or `[ … ]`) braces are YAML syntax, so an unquoted reference,
 * `bind: { dn: cn=admin, password: ${env:LDAP_PASSWORD} }`, breaks the whole
 * line into a dozen errors that never say why. Such a reference is reported
 * once, at its line, saying to quote it; the errors the text has besides are
 * reported as before.
 */
export function yamlSyntaxProblems(text: string, doc: Document, locator: ProblemLocator): ConfigProblem[] {
  const references = [...text.matchAll(REFERENCE)].map((m): Span => ({ start: m.index, end: m.index + m[0].length }));
  if (references.length === 0) return errorProblems(doc.errors, text, locator);
  // Each reference written over by a plain word of the same length: offsets (lines, columns) stay the same.
  const unquoted = unquotedInFlow(parseDocument(masked(text, references)), references);
  if (unquoted.length === 0) return errorProblems(doc.errors, text, locator);
  const problems = unquoted.map(({ start, end, flow, path }) => {
    const written = text.slice(start, end);
    return locator.atOffset(start, formatPath(path), `YAML syntax: ${written} is not quoted inside a flow ${flow} (${flow === 'mapping' ? '{ … }' : '[ … ]'}), `
      + `where { and } are YAML syntax; quote the value: ${quoted(written)}`);
  });
  // The other errors are those of the text with only these references masked: a reference elsewhere
  // (`note: ${env: X}` in a block mapping, whose ': ' is YAML syntax) keeps its own error.
  const rest = parseDocument(masked(text, references.filter((r) => unquoted.some((u) => r.start >= u.start && r.start < u.end))));
  return [...problems, ...errorProblems(rest.errors, text, locator)];
}

interface Span {
  readonly start: number;
  readonly end: number;
}

function masked(text: string, spans: readonly Span[]): string {
  let out = '';
  let at = 0;
  for (const { start, end } of spans) {
    out += text.slice(at, start) + '$' + '_'.repeat(end - start - 1);
    at = end;
  }
  return out + text.slice(at);
}

/** `${…}`, as substitute.ts reads it (and a `$${` escape, whose `${…}` breaks a flow collection the same way). */
const REFERENCE = /\$\{[^}\n]*\}/g;

interface Unquoted extends Span {
  readonly flow: 'mapping' | 'sequence';
  readonly path: readonly PathSegment[];
}

/** Plain (unquoted) scalars holding a masked reference (one of `references`, not a `$_` written as such) whose nearest collection is a flow one. */
function unquotedInFlow(doc: Document, references: readonly Span[]): Unquoted[] {
  const found: Unquoted[] = [];
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (node.type !== 'PLAIN' || typeof node.value !== 'string' || node.range === undefined || node.range === null) return;
      const [start, end] = node.range;
      if (!references.some((r) => r.start >= start && r.start < end)) return;
      const collection = [...ancestors].reverse().find(isCollection);
      if (collection === undefined || !collection.flow) return;
      found.push({ start, end, flow: isSeq(collection) ? 'sequence' : 'mapping', path: keyPath(ancestors, node) });
    },
  });
  return found;
}

/** The key path of `node`, from the ancestors `visit` gives (collections and pairs). */
function keyPath(ancestors: readonly unknown[], node: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  ancestors.forEach((ancestor, i) => {
    const child = ancestors[i + 1] ?? node;
    if (isPair(ancestor) && isScalar(ancestor.key) && ancestor.value === child) path.push(String(ancestor.key.value));
    else if (isSeq(ancestor)) path.push(ancestor.items.indexOf(child as never));
  });
  return path;
}

/** The value in double quotes, or single ones when it holds a `"` or `\` (which double quotes would change). */
function quoted(value: string): string {
  return /["\\]/.test(value) ? `'${value.replace(/'/g, "''")}'` : `"${value}"`;
}

function errorProblems(errors: readonly YAMLError[], text: string, locator: ProblemLocator): ConfigProblem[] {
  return errors.map((error) => {
    const offset = error.pos[0];
    const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
    // "Map keys must be unique" alone leaves the reader to find which key: name it (keys are never substituted secrets).
    const key = error.code === 'DUPLICATE_KEY' ? /^([^:\n]{1,100}?)\s*:(?:\s|$)/.exec(text.slice(offset))?.[1] : undefined;
    const detail = key === undefined ? message : `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : `'${key}'`} (${message.toLowerCase()})`;
    return locator.atOffset(offset, '', `YAML syntax: ${detail}`);
  });
}
