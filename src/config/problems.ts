import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** One thing wrong with a configuration file, located for a human. */
export interface ConfigProblem {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Key path, e.g. `sources[0].key`; '' for the whole document. */
  readonly path: string;
  readonly message: string;
}

export type PathSegment = string | number;

/** "file:line:column: sources[0].key: expected a string" */
export function formatProblem(p: ConfigProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.path === '' ? `${where}: ${p.message}` : `${where}: ${p.path}: ${p.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Where in the YAML text a key path is: the node itself, or the key of a map entry. */
export class ProblemLocator {
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #file: string;
  readonly #text: string;

  constructor(doc: Document, lines: LineCounter, file: string, text: string) {
    this.#doc = doc;
    this.#lines = lines;
    this.#file = file;
    this.#text = text;
  }

  /** The value node at `path`, or its nearest existing ancestor. */
  node(path: readonly PropertyKey[]): Node | undefined {
    let current: unknown = this.#doc.contents;
    let found: Node | undefined = isNode(current) ? current : undefined;
    for (const segment of path) {
      const next = childOf(current, segment);
      if (next === undefined) break;
      current = next;
      if (isNode(next)) found = next;
    }
    return found;
  }

  /** The key node of `path`'s last segment (for "unknown key" and "duplicate" problems). */
  keyNode(path: readonly PropertyKey[]): Node | undefined {
    const parent = this.node(path.slice(0, -1));
    const last = path[path.length - 1];
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(last));
    return pair && isNode(pair.key) ? pair.key : undefined;
  }

  at(path: readonly PropertyKey[], message: string, options: { readonly onKey?: boolean; readonly offset?: number } = {}): ConfigProblem {
    const node = (options.onKey ? this.keyNode(path) : undefined) ?? this.node(path);
    return this.atOffset((node?.range?.[0] ?? 0) + (options.offset ?? 0), formatPath(path), message);
  }

  /**
   * A problem inside an expression: at the character `offset` of `source`
   * when the scalar is written as-is on one line (plain or quoted without
   * escapes), else at the start of the scalar.
   */
  atExpression(path: readonly PropertyKey[], source: string, offset: number | undefined, message: string): ConfigProblem {
    const node = this.node(path);
    const range = node?.range;
    if (!range || offset === undefined || !isScalar(node)) return this.at(path, message);
    const raw = this.#text.slice(range[0], range[1]);
    const inner = raw === source ? 0 : raw.length === source.length + 2 && raw.slice(1, -1) === source ? 1 : undefined;
    if (inner === undefined) return this.at(path, message);
    return this.atOffset(range[0] + inner + Math.min(offset, source.length), formatPath(path), message);
  }

  atOffset(offset: number, path: string, message: string): ConfigProblem {
    const { line, col } = this.#lines.linePos(offset);
    return { file: this.#file, line: Math.max(line, 1), column: Math.max(col, 1), path, message };
  }
}

function childOf(node: unknown, segment: PropertyKey): unknown {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
    // `key:` with no value: point at the key.
    return pair === undefined ? undefined : (pair.value ?? pair.key ?? undefined);
  }
  if (isSeq(node) && typeof segment === 'number') return node.items[segment];
  return undefined;
}

export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
