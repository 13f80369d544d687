import { insecureSettings } from '../connectors/directory/config.js';
import { booleanText } from './values.js';
import type { ConfigProblem, PathSegment, ProblemLocator } from './problems.js';
import type { ConfigInput } from './schema.js';

const DIRECTORIES = new Set(['ldap', 'ad']);

/**
 * Warnings for directory connections (ldap / ad targets and sources) that do
 * not protect the bind password: certificate checks turned off, or plain
 * ldap:// to another machine (connectors/directory/config.ts
 * insecureSettings). Said by `roster validate` before anything connects, as
 * well as in the log when the connector starts. Warnings, not errors: a lab
 * may mean it.
 */
export function connectionWarnings(config: ConfigInput, locator: ProblemLocator): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const check = (path: readonly PathSegment[], name: string, connection: unknown): void => {
    if (typeof connection !== 'object' || connection === null) return;
    const { url, startTLS, tls } = connection as Record<string, unknown>;
    if (typeof url !== 'string') return;
    const rejectUnauthorized = typeof tls === 'object' && tls !== null ? booleanText((tls as Record<string, unknown>).rejectUnauthorized) : undefined;
    // As the connector reads them: `${env:…}` gives the text "false" / "true", which turns the check off (or StartTLS on) just the same.
    const settings = insecureSettings({
      url, startTLS: booleanText(startTLS) === true, tls: { rejectUnauthorized: typeof rejectUnauthorized === 'boolean' ? rejectUnauthorized : undefined },
    });
    for (const { key, message } of settings) {
      warnings.push(locator.at([...path, 'connection', ...(key === 'url' ? ['url'] : ['tls', 'rejectUnauthorized'])], `${message} (${name})`));
    }
  };
  config.sources.forEach((source, i) => {
    if (DIRECTORIES.has(source.type)) check(['sources', i], `source ${String(source.id)}`, source.connection);
  });
  config.targets.forEach((target, i) => {
    if (DIRECTORIES.has(target.type)) check(['targets', i], `target ${String(target.id)}`, target.connection);
  });
  return warnings;
}
