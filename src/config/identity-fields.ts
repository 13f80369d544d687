import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { closestKey } from './known-keys.js';
import { fieldReads } from './field-reads.js';
import type { ConfigProblem, PathSegment, ProblemLocator } from './problems.js';
import type { ConfigInput } from './schema.js';

/**
 * Warnings for identity fields no source gives: CEL sees `identity` (and
 * `manager`) as map<string, dyn>, so `identity.deparment` type-checks and
 * fails only at plan time, for each identity (`expression.failed`). Here every
 * expression's `identity.x` / `manager.x` (also under has(), default(),
 * `.?x`, `["x"]`) and every reconcile match rule's `identity` is compared with
 * the names an identity can have:
 *
 * - the standard fields (the SCIM source's default mapping),
 * - every source's `key` and `fields:` columns, and the `attributes` names of
 *   ldap, ad and scim sources,
 * - the header row of each csv source's file (its first line only).
 *
 * Warnings, not errors: an HR column may be added after the config. When some
 * source's fields cannot be known here (a json or push source; a csv file not
 * present or not readable now), only names close to a known one (a likely
 * typo) are reported.
 */

/** The record fields of the scim source's default mapping (src/sources/scim.ts), besides the lifecycle ones. */
export const STANDARD_IDENTITY_FIELDS: readonly string[] = [
  'userName', 'externalId', 'givenName', 'familyName', 'displayName', 'email', 'title', 'department', 'employeeNumber',
];

/** How much of a csv file is read to find its header row. */
const HEADER_BYTES = 64 * 1024;

export interface KnownFields {
  readonly names: ReadonlySet<string>;
  /** Every source's fields are known (no json or push source, every csv header read). */
  readonly complete: boolean;
}

export function knownIdentityFields(config: ConfigInput, baseDir: string): KnownFields {
  const names = new Set<string>(STANDARD_IDENTITY_FIELDS);
  let complete = true;
  for (const source of config.sources) {
    names.add(source.key);
    for (const column of Object.values(source.fields)) names.add(column);
    for (const name of Object.keys(source.attributes ?? {})) names.add(name);
    if (source.type === 'json' || source.type === 'push') complete = false;
    if (source.type === 'csv') {
      const header = source.path === undefined ? undefined : csvHeader(resolve(baseDir, source.path), source.delimiter);
      if (header === undefined) complete = false;
      else for (const name of header) names.add(name);
    }
  }
  return { names, complete };
}

/**
 * The column names of a csv file's header row (its first row that is not
 * blank, as the reader takes it), or undefined when the file is absent, not a
 * regular file, or its header cannot be read from the first bytes.
 */
export function csvHeader(path: string, delimiter: string): string[] | undefined {
  let fd: number;
  try {
    // Non-blocking: a named pipe must not hang validation.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(HEADER_BYTES, stat.size));
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    let text = buffer.toString('utf8', 0, length);
    if (text.startsWith('\uFEFF')) text = text.slice(1);
    const whole = length >= stat.size;
    const lines = text.split(/\r\n|\n|\r/);
    // The last piece of a partial read may be a cut line: only whole lines count.
    const usable = whole ? lines : lines.slice(0, -1);
    const line = usable.find((l) => l.split(delimiter).some((cell) => cell.trim() !== ''));
    if (line === undefined) return undefined;
    const rows = parse(line, { delimiter, relax_column_count: true }) as string[][];
    const names = (rows[0] ?? []).map((name) => name.trim()).filter((name) => name !== '');
    return names.length === 0 ? undefined : names;
  } catch {
    // A header csv-parse cannot read on its own line (a quoted name over two lines): the reader reports it.
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Why `name` is not a known field (with the closest known one), or undefined when it is known or may well exist. */
function unknownField(name: string, known: KnownFields): string | undefined {
  if (known.names.has(name)) return undefined;
  const suggestion = closestKey(name, [...known.names]);
  if (suggestion === undefined && !known.complete) return undefined;
  const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
  return `${known.complete ? 'no source gives' : 'no source is known to give'} an identity field '${name}'${hint}`;
}

/** Every expression (scope, attributes, roles' when) and reconcile match rule of a config that passed the schema. */
export function identityFieldWarnings(config: ConfigInput, baseDir: string, locator: ProblemLocator): ConfigProblem[] {
  const known = knownIdentityFields(config, baseDir);
  const warnings: ConfigProblem[] = [];
  const check = (path: readonly PathSegment[], source: string): void => {
    for (const read of fieldReads(source)) {
      const message = unknownField(read.name, known);
      if (message === undefined) continue;
      warnings.push(locator.atExpression(path, source, read.offset, `${read.variable}.${read.name}: ${message}`));
    }
  };
  config.targets.forEach((target, i) => {
    check(['targets', i, 'scope'], target.scope);
    for (const [name, source] of Object.entries(target.attributes)) check(['targets', i, 'attributes', name], source);
    target.reconcile.match.forEach((rule, j) => {
      const message = unknownField(rule.identity, known);
      if (message !== undefined) {
        warnings.push(locator.at(['targets', i, 'reconcile', 'match', j, 'identity'], `${message}: this rule would match nobody`));
      }
    });
  });
  config.roles.forEach((role, i) => check(['roles', i, 'when'], role.when));
  return warnings;
}
