import { CronPattern } from 'croner';
import type { z } from 'zod';
import { checkExpression } from '../cel/index.js';
import { isAttributeName } from '../connectors/directory/escape.js';
import { adGroupNameProblems } from './ad-group-names.js';
import { issuesToProblems } from './issues.js';
import { targetKeyPlaces } from './misplaced-keys.js';
import type { ConfigProblem, PathSegment, ProblemLocator } from './problems.js';
import type { ConfigInput } from './schema.js';
import { scimProblems } from './scim-checks.js';

/**
 * Checks that need more than one key at a time: unique ids, references
 * between sections, cron and time zone syntax, connector settings (each
 * connector's own zod schema; the connection block is kept as written, since
 * createConnector parses it again) and every CEL expression.
 */

export function crossCheck(
  config: ConfigInput,
  locator: ProblemLocator,
  connectionSchemas: Readonly<Record<string, z.ZodType>>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];

  duplicates('source', config.sources, locator, problems);
  duplicates('target', config.targets, locator, problems);
  duplicates('role', config.roles, locator, problems);

  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(config.store)) {
    problems.push(locator.at(['store'], "expected 'sqlite:<path>' or 'postgres://…'"));
  }
  if (!validTimeZone(config.lifecycle.timezone)) {
    problems.push(locator.at(['lifecycle', 'timezone'], 'unknown time zone; expected an IANA name such as UTC or Europe/Berlin'));
  }

  config.sources.forEach((source, i) => {
    problems.push(...directorySourceProblems(source, i, locator));
    if ((source.type === 'csv' || source.type === 'json') && source.path === undefined) {
      problems.push(locator.at(['sources', i], `missing required key 'path' (a ${source.type} source reads a file)`));
    }
    if (source.type === 'push' && source.schedule !== undefined) {
      problems.push(locator.at(['sources', i, 'schedule'], 'a push source has no schedule: its records arrive over HTTP'));
    }
    for (const key of ['schedule', 'fullSchedule'] as const) {
      const pattern = source[key];
      const error = pattern === undefined ? undefined : cronError(pattern);
      if (error) problems.push(locator.at(['sources', i, key], `invalid cron schedule: ${error}`));
    }
    if (source.fields.previousKey !== undefined && source.fields.previousKey === source.key) {
      // Every row would name itself as its own former key: never a continuation, a warning per new person.
      problems.push(locator.at(['sources', i, 'fields', 'previousKey'], `names the key column '${source.key}' itself; name the column of the former key (such as previousEmployeeId)`));
    }
    const previousKey = source.fields.previousKey;
    if (previousKey !== undefined && (source.type === 'ldap' || source.type === 'ad' || source.type === 'scim') && !Object.hasOwn(source.attributes ?? {}, previousKey)) {
      // A directory or SCIM source reads only the fields its `attributes` map: unmapped, nobody would ever be continued, silently.
      problems.push(locator.at(['sources', i, 'fields', 'previousKey'], `names '${previousKey}', which no entry of this ${source.type} source's attributes gives; `
        + `map it (attributes: { ${previousKey}: <the ${source.type === 'scim' ? 'SCIM attribute path' : 'directory attribute'} holding the former key> })`));
    }
  });

  problems.push(...scimProblems(config, locator));

  const knownTypes = Object.keys(connectionSchemas).sort();
  const places = targetKeyPlaces(connectionSchemas, (i) => config.targets[i]?.type);
  config.targets.forEach((target, i) => {
    const schema = connectionSchemas[target.type];
    if (schema === undefined) {
      problems.push(locator.at(['targets', i, 'type'], `unknown target type '${target.type}'; expected one of ${knownTypes.join(', ')}`));
    } else {
      const parsed = schema.safeParse(target.connection);
      if (!parsed.success) problems.push(...issuesToProblems(parsed.error.issues, target.connection, locator, ['targets', i, 'connection'], schema, places));
      else if (target.type === 'scim') problems.push(...unmappedScimAttributes(target, i, parsed.data, locator));
    }
    const attributeNames = Object.keys(target.attributes);
    if (!attributeNames.includes(target.accountKey)) {
      const names = attributeNames.length === 0 ? 'the target has none' : attributeNames.join(', ');
      problems.push(locator.at(['targets', i, 'accountKey'], `must be one of the target's attributes (${names})`));
    }
    const reconcileSchedule = target.reconcile.schedule;
    const cron = reconcileSchedule === undefined ? undefined : cronError(reconcileSchedule);
    if (cron) problems.push(locator.at(['targets', i, 'reconcile', 'schedule'], `invalid cron schedule: ${cron}`));
    expression(['targets', i, 'scope'], target.scope, 'condition', locator, problems);
    for (const [name, source] of Object.entries(target.attributes)) {
      expression(['targets', i, 'attributes', name], source, 'mapping', locator, problems);
    }
  });

  const targetIds = [...new Set(config.targets.map((target) => target.id))];
  config.roles.forEach((role, i) => {
    expression(['roles', i, 'when'], role.when, 'condition', locator, problems);
    for (const targetId of Object.keys(role.grants)) {
      if (!targetIds.includes(targetId)) {
        const known = targetIds.length === 0 ? 'no targets are defined' : `targets are ${targetIds.join(', ')}`;
        problems.push(locator.at(['roles', i, 'grants', targetId], `unknown target '${targetId}' (${known})`, { onKey: true }));
      }
    }
  });
  problems.push(...adGroupNameProblems(config, locator, connectionSchemas));

  return problems;
}

/**
 * When the schema failed there is no typed config to cross-check; the CEL
 * expressions written as strings are still checked so one run reports them.
 */
export function checkRawExpressions(input: unknown, locator: ProblemLocator): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const list = (key: string): readonly unknown[] => {
    const value = isRecord(input) ? input[key] : undefined;
    return Array.isArray(value) ? value : [];
  };
  list('targets').forEach((target, i) => {
    if (!isRecord(target)) return;
    if (typeof target['scope'] === 'string') expression(['targets', i, 'scope'], target['scope'], 'condition', locator, problems);
    const attributes = target['attributes'];
    if (!isRecord(attributes)) return;
    for (const [name, source] of Object.entries(attributes)) {
      if (typeof source === 'string') expression(['targets', i, 'attributes', name], source, 'mapping', locator, problems);
    }
  });
  list('roles').forEach((role, i) => {
    if (isRecord(role) && typeof role['when'] === 'string') expression(['roles', i, 'when'], role['when'], 'condition', locator, problems);
  });
  return problems;
}

const DIRECTORY_ONLY = ['connection', 'attributes', 'fullSchedule', 'fullEvery', 'disabledStatus', 'changes', 'keyChanges'] as const;
/** Directory keys a scim source takes too: its SCIM attribute mapping and the status of an inactive User. */
const SCIM_TOO: ReadonlySet<string> = new Set(['attributes', 'disabledStatus']);

/** ldap / ad sources need a connection and read no file; the other types take none of the directory keys (scim: but its own two). */
function directorySourceProblems(source: ConfigInput['sources'][number], i: number, locator: ProblemLocator): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (source.type === 'ldap' || source.type === 'ad') {
    if (source.connection === undefined) {
      problems.push(locator.at(['sources', i], `missing required key 'connection' (an ${source.type} source reads a directory)`));
    }
    if (source.path !== undefined) problems.push(locator.at(['sources', i, 'path'], `an ${source.type} source reads a directory, not a file`));
    if (!isAttributeName(source.key)) problems.push(locator.at(['sources', i, 'key'], 'must be an LDAP attribute name (letters, digits, hyphens)'));
    if (source.disabledStatus !== undefined && source.type === 'ldap') {
      problems.push(locator.at(['sources', i, 'disabledStatus'], 'only an ad source has a disabled flag (userAccountControl)'));
    }
    if (source.changes === 'syncrepl' && source.type === 'ad') {
      problems.push(locator.at(['sources', i, 'changes'], 'syncrepl is OpenLDAP\'s (the syncprov overlay): an ad source reads changes by uSNChanged'));
    }
    for (const [field, attribute] of Object.entries(source.attributes ?? {})) {
      if (!isAttributeName(attribute)) {
        problems.push(locator.at(['sources', i, 'attributes', field], 'must be an LDAP attribute name (letters, digits, hyphens)'));
      }
    }
    return problems;
  }
  for (const key of DIRECTORY_ONLY) {
    if (source[key] === undefined || (source.type === 'scim' && SCIM_TOO.has(key))) continue;
    const takers = SCIM_TOO.has(key) ? 'an ldap, ad or scim source' : 'an ldap or ad source';
    problems.push(locator.at(['sources', i, key], `only ${takers} takes '${key}'`, { onKey: true }));
  }
  return problems;
}

/**
 * A scim target writes each of its attributes at the SCIM path
 * `connection.mapping` gives it (the parsed connection: the default mapping
 * when none is written, which a written one replaces as a whole). An
 * attribute without a path would fail every change of every account with
 * `target.rejected` at run time, so it is refused here, where the line is known.
 */
function unmappedScimAttributes(target: ConfigInput['targets'][number], i: number, connection: unknown, locator: ProblemLocator): ConfigProblem[] {
  const mapping = isRecord(connection) && isRecord(connection['mapping']) ? connection['mapping'] : {};
  const mapped = Object.keys(mapping);
  return Object.keys(target.attributes)
    .filter((name) => !Object.hasOwn(mapping, name))
    .map((name) => locator.at(
      ['targets', i, 'attributes', name],
      `'${name}' has no SCIM path in connection.mapping (mapped: ${mapped.join(', ')}); add '${name}: <SCIM attribute path>' there`,
      { onKey: true },
    ));
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function duplicates(kind: string, items: readonly { readonly id: string }[], locator: ProblemLocator, problems: ConfigProblem[]): void {
  const section = `${kind}s`;
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first === undefined) {
      seen.set(item.id, i);
      return;
    }
    const firstLine = locator.at([section, first, 'id'], '').line;
    problems.push(locator.at([section, i, 'id'], `duplicate ${kind} id '${item.id}' (first defined at line ${firstLine})`));
  });
}

function expression(
  path: readonly PathSegment[],
  source: string,
  kind: 'condition' | 'mapping',
  locator: ProblemLocator,
  problems: ConfigProblem[],
): void {
  const problem = checkExpression(source, kind);
  if (!problem) return;
  const summary = problem.message.split('\n')[0] ?? problem.message;
  problems.push(locator.atExpression(path, source, problem.offset, `invalid ${kind}: ${summary}`));
}

function cronError(pattern: string): string | undefined {
  try {
    new CronPattern(pattern);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
  }
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
