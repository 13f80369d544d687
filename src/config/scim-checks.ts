import { isRosterError } from '../core/errors.js';
import type { ScimResourceSchema } from '../scim/filter/index.js';
import { defaultScimAttributes, parseScimPaths, scimUserSchema } from '../sources/scim.js';
import type { ConfigProblem, PathSegment, ProblemLocator } from './problems.js';
import type { ConfigInput } from './schema.js';

type Source = ConfigInput['sources'][number];

/**
 * Checks between `scim.server` and the `type: scim` source: /scim/v2/Users
 * feeds at most one source, only when the server runs, and the source's key
 * must be read from some SCIM attribute.
 */
export function scimProblems(config: ConfigInput, locator: ProblemLocator): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const server = config.scim.server;
  const schema = userSchema(config, locator, problems);
  const scimSources = config.sources.flatMap((source, i) => (source.type === 'scim' ? [{ source, i }] : []));
  scimSources.forEach(({ source, i }, n) => {
    if (n > 0) {
      const first = scimSources[0]?.source.id ?? '';
      problems.push(locator.at(['sources', i, 'type'], `only one scim source is allowed ('${first}' is one): /scim/v2/Users feeds a single source`));
    }
    if (!server.enabled) {
      problems.push(locator.at(['sources', i, 'type'], 'a scim source is fed by the SCIM server, which is off: set scim.server.enabled: true'));
    }
    if (schema !== undefined) problems.push(...sourceProblems(source, i, schema, locator));
  });
  if (server.source !== undefined) {
    const named = config.sources.find((source) => source.id === server.source);
    const scimIds = scimSources.map(({ source }) => source.id);
    if (named === undefined) {
      const known = scimIds.length === 0 ? 'there is no source of type scim' : `the scim source is '${scimIds.join("', '")}'`;
      problems.push(locator.at(['scim', 'server', 'source'], `unknown source '${server.source}' (${known})`));
    } else if (named.type !== 'scim') {
      problems.push(locator.at(['scim', 'server', 'source'], `source '${named.id}' is of type ${named.type}; scim.server.source must name a source of type scim`));
    }
  }
  return problems;
}

/** The User schema with the configured extensions; a faulty extension is a problem at the key the registry names. */
function userSchema(config: ConfigInput, locator: ProblemLocator, problems: ConfigProblem[]): ScimResourceSchema | undefined {
  try {
    return scimUserSchema(config.scim.server.extensions);
  } catch (error) {
    if (!isRosterError(error, 'config.invalid')) throw error;
    const where = typeof error.details?.['path'] === 'string' ? error.details['path'] : 'scim.server.extensions';
    problems.push(locator.at(segments(where), error.message.replace(`${where}: `, '')));
    return undefined;
  }
}

/** 'scim.server.extensions[0].resourceType' -> ['scim', 'server', 'extensions', 0, 'resourceType'] */
function segments(path: string): PathSegment[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) => (match[2] === undefined ? (match[1] as string) : Number(match[2])));
}

function sourceProblems(source: Source, i: number, schema: ScimResourceSchema, locator: ProblemLocator): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (source.path !== undefined) {
    problems.push(locator.at(['sources', i, 'path'], "a scim source reads the SCIM server's Users, not a file", { onKey: true }));
  }
  for (const [field, text] of Object.entries(source.attributes ?? {})) {
    try {
      parseScimPaths(text, schema);
    } catch (error) {
      problems.push(locator.at(['sources', i, 'attributes', field], error instanceof Error ? error.message : String(error)));
    }
  }
  const mapped = { ...defaultScimAttributes(source.fields), ...source.attributes };
  if (!Object.hasOwn(mapped, source.key)) {
    problems.push(locator.at(
      ['sources', i, 'key'],
      `'${source.key}' is not mapped: add it to attributes (e.g. ${source.key}: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber) `
        + `or use a mapped field (${Object.keys(mapped).join(', ')})`,
    ));
  }
  return problems;
}
