import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { connectionSchemas } from '../connectors/registry.js';
import { RosterError } from '../core/errors.js';
import { checkRawExpressions, crossCheck } from './crosscheck.js';
import { isConnectionPath, missingSecrets, neededBy } from './deferred.js';
import { identityFieldWarnings } from './identity-fields.js';
import { ldapPasswordWarnings } from './ldap-password-warnings.js';
import { connectionWarnings } from './connection-warnings.js';
import { managerAccountWarnings } from './manager-account-warnings.js';
import { issuesToProblems } from './issues.js';
import { rawTargetType, targetKeyPlaces } from './misplaced-keys.js';
import { formatPath, formatProblem, ProblemLocator, sortProblems, type ConfigProblem } from './problems.js';
import { configSchema, type ConfigInput } from './schema.js';
import { redact, substitute } from './substitute.js';
import { yamlSyntaxProblems } from './yaml-errors.js';
import type { RosterConfig, SourceFields } from './types.js';

export { formatProblem, type ConfigProblem } from './problems.js';

export interface LoadOptions {
  /** Variables for `${env:NAME}` (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * loadConfig: called with the warnings of a valid configuration (identity
   * fields no source gives, identity-fields.ts; contradicting ldap password
   * settings, ldap-password-warnings.ts), when there are any; the identity
   * field check (which reads each csv source's header row) runs only when given.
   */
  readonly onWarnings?: (warnings: readonly ConfigProblem[]) => void;
  /**
   * An unset variable or unreadable file in a source's or target's
   * `connection:` does not fail the load of an otherwise valid file: it is
   * listed in `config.missingSecrets` (config/deferred.ts). The engine sets
   * it; `roster validate` does not (it reports every one).
   */
  readonly deferConnectionSecrets?: boolean;
}

export interface ValidateOptions extends LoadOptions {
  /** Look for identity fields no source gives (warnings); default true. The ldap password warnings need no I/O and are always given. */
  readonly checkFields?: boolean;
}

/**
 * Parse and validate roster.yaml text. Every problem found is returned
 * (YAML syntax first: when the text is not valid YAML nothing else is
 * checked; then schema problems, with CEL checks; the other cross-checks
 * need a config that passed the schema).
 * `config` is set only when there is no problem. `warnings` (a config that
 * passed the schema) are not problems: identity fields no source is known to
 * give (identity-fields.ts), contradicting ldap password settings
 * (ldap-password-warnings.ts).
 */
export function validateConfigText(
  text: string,
  file: string,
  options: ValidateOptions = {},
): { config?: RosterConfig; problems: ConfigProblem[]; warnings: ConfigProblem[] } {
  const absolute = resolve(file);
  const baseDir = dirname(absolute);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const locator = new ProblemLocator(doc, lines, file, text);

  if (doc.errors.length > 0) return { problems: sortProblems(yamlSyntaxProblems(text, doc, locator)), warnings: [] };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // e.g. an alias expansion bomb ("billion laughs")
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [locator.atOffset(0, '', `YAML: ${message}`)], warnings: [] };
  }
  const defer = options.deferConnectionSecrets === true ? isConnectionPath : undefined;
  const substituted = substitute(raw, { env: options.env ?? process.env, baseDir, ...(defer ? { defer } : {}) });
  const problems: ConfigProblem[] = substituted.problems.map((p) => locator.at(p.path, p.missing ? p.message + neededBy(substituted.value, p.path) : p.message));
  const parsed = configSchema.safeParse(substituted.value ?? {});
  if (!parsed.success) {
    const places = targetKeyPlaces(connectionSchemas, (i) => rawTargetType(substituted.value, i));
    problems.push(...issuesToProblems(parsed.error.issues, substituted.value, locator, [], configSchema, places));
    problems.push(...checkRawExpressions(substituted.value, locator));
  } else {
    problems.push(...crossCheck(parsed.data, locator, connectionSchemas));
  }
  const warnings = parsed.success
    ? sortProblems([...(options.checkFields !== false ? identityFieldWarnings(parsed.data, baseDir, locator) : []), ...ldapPasswordWarnings(parsed.data, locator), ...connectionWarnings(parsed.data, locator),
      ...managerAccountWarnings(parsed.data, locator)]
      .map((p) => ({ ...p, message: redact(p.message, substituted.secrets) })))
    : [];
  if (substituted.deferred.length > 0 && (problems.length > 0 || !parsed.success)) {
    // Deferring is for a file that is otherwise valid: with a problem, it is reported as validate reports it.
    return validateConfigText(text, file, { ...options, deferConnectionSecrets: false });
  }
  if (problems.length > 0 || !parsed.success) {
    // A failed substitution leaves '' behind: do not also report what '' breaks.
    const failed = new Set(substituted.problems.map((p) => formatPath(p.path)));
    const clean = problems
      .filter((p, i) => i < substituted.problems.length || !failed.has(p.path))
      .map((p) => ({ ...p, message: redact(p.message, substituted.secrets) }));
    return { problems: sortProblems(clean), warnings };
  }
  const config = finalise(parsed.data, absolute, baseDir, substituted.value);
  const missing = missingSecrets(substituted.deferred, substituted.value, locator);
  return { config: missing.length === 0 ? config : { ...config, missingSecrets: missing }, problems: [], warnings };
}

/** Read, validate and return the configuration, or throw 'config.not_found' / 'config.invalid'. */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<RosterConfig> {
  const absolute = resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') {
      throw new RosterError('config.not_found', `configuration file not found: ${absolute}`, { cause: error });
    }
    throw new RosterError('config.invalid', `cannot read ${absolute}: ${code ?? String(error)}`, { cause: error });
  }
  const { config, problems, warnings } = validateConfigText(text, file, { ...options, checkFields: options.onWarnings !== undefined });
  if (config) {
    if (warnings.length > 0) options.onWarnings?.(warnings);
    return config;
  }
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const summary = `${file}: ${count}\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`;
  throw new RosterError('config.invalid', summary, { details: { problems } });
}

/** 'sqlite:./x.db' → 'sqlite:/abs/x.db'; postgres URLs and sqlite::memory: unchanged. */
export function resolveStoreUrl(store: string, baseDir: string): string {
  if (!store.startsWith('sqlite:')) return store;
  const path = store.slice('sqlite:'.length);
  if (path === ':memory:' || path === '' || isAbsolute(path)) return store;
  return `sqlite:${resolve(baseDir, path)}`;
}

function finalise(input: ConfigInput, file: string, baseDir: string, raw: unknown): RosterConfig {
  return {
    file,
    baseDir,
    store: resolveStoreUrl(input.store, baseDir),
    server: input.server,
    lifecycle: input.lifecycle,
    sources: input.sources.map(({ complete, path, ...source }, index) => ({
      ...source,
      ...(path === undefined ? {} : { path: resolve(baseDir, path) }),
      complete: complete ?? source.type !== 'push',
      fieldsGiven: fieldsGiven(raw, index),
    })),
    targets: input.targets.map(({ leaver, safety: { window, maxMoves, ...safety }, ...target }) => ({
      ...target,
      safety: { ...safety, ...(maxMoves === undefined ? {} : { maxMoves }), windowMs: window },
      leaver: { disable: leaver.disable, deleteAfterMs: leaver.delete },
    })),
    roles: input.roles,
    scim: { server: { ...input.scim.server, source: input.scim.server.source ?? onlyScimSource(input) } },
    executor: input.executor,
  };
}

/** The `fields` keys source `index` wrote (the schema accepted them: known names only). */
function fieldsGiven(raw: unknown, index: number): (keyof SourceFields)[] {
  const sources = (raw as { sources?: unknown } | undefined)?.sources;
  const fields = Array.isArray(sources) ? (sources[index] as { fields?: unknown } | undefined)?.fields : undefined;
  return typeof fields === 'object' && fields !== null ? (Object.keys(fields) as (keyof SourceFields)[]) : [];
}

/** `scim.server.source` left out: the one `type: scim` source, when there is exactly one. */
function onlyScimSource(input: ConfigInput): string | undefined {
  const scim = input.sources.filter((source) => source.type === 'scim');
  return scim.length === 1 ? scim[0]?.id : undefined;
}
