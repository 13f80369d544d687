import { isRosterError, RosterError } from '../../core/errors.js';
import type { AttributePath } from './ast.js';
import type { Location, Target } from './location.js';
import { parseFilter } from './parser.js';
import { PostgresFilterDialect } from './postgres.js';
import { resolvePath, type ColumnOf } from './resolve.js';
import type { ScimAttribute, ScimResourceSchema } from './schema.js';
import type { FilterDialect, SqlDialect } from './sql-dialect.js';
import { SqliteFilterDialect } from './sqlite.js';

/**
 * RFC 7644 §3.12 has no sortBy-specific scimType; `invalidPath` is for PATCH
 * paths, `invalidValue` covers a query parameter the schema cannot satisfy.
 */
export const INVALID_SORT = 'invalidValue';

/** What an attribute path may look like (the filter lexer's word characters). */
const SORT_PATH = /^[A-Za-z$_][A-Za-z0-9$_:.-]*$/;

function invalidSort(path: string, reason: string, cause?: unknown): RosterError {
  return new RosterError('request.invalid', `Invalid sortBy ${JSON.stringify(path)}: ${reason}`, {
    details: { scimType: INVALID_SORT },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Runs a filter-module step, turning its invalidFilter fault into an invalidValue one about the sortBy. */
function asSortFault<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (!isRosterError(error, 'request.invalid')) throw error;
    throw invalidSort(path, error.message.replace(/^Invalid filter at offset \d+: /, ''), error);
  }
}

/** The path as the filter parser reads it: `<path> pr` is the smallest filter that is only that path. */
function parseSortPath(path: string): AttributePath {
  if (!SORT_PATH.test(path)) throw invalidSort(path, 'expected an attribute path such as name.familyName');
  const node = asSortFault(path, () => parseFilter(`${path} pr`));
  if (node.kind !== 'present') throw invalidSort(path, 'expected an attribute path such as name.familyName');
  return node.path;
}

const find = (attribute: ScimAttribute, name: string): ScimAttribute | undefined =>
  attribute.subAttributes?.find((sub) => sub.name.toLowerCase() === name);

/**
 * The value to order by at one location, typed so both databases order alike:
 * NULL when there is nothing to order by (absent, JSON null, "", or a value
 * of the wrong JSON type), lower() for caseExact=false strings, numbers as
 * numbers, booleans as 0 (false) before 1 (true).
 */
function orderValue(location: Location, attribute: ScimAttribute, dialect: SqlDialect): string {
  const text = dialect.text(location);
  const postgres = dialect.name === 'postgres';
  switch (attribute.type) {
    case 'integer':
    case 'decimal':
      return postgres
        ? `CASE WHEN ${text} ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN (${text})::numeric END`
        : `CASE WHEN typeof(${text}) IN ('integer', 'real') THEN ${text} END`;
    case 'boolean':
      return postgres ? `CASE ${text} WHEN 'false' THEN 0 WHEN 'true' THEN 1 END` : `CASE ${text} WHEN 0 THEN 0 WHEN 1 THEN 1 END`;
    case 'string':
      return `NULLIF(${attribute.caseExact ? text : `lower(${text})`}, '')`;
    default:
      return `NULLIF(${text}, '')`;
  }
}

/** A JSON boolean `true` at `location` (SQLite's json_extract gives 1 for it; PostgreSQL's ->> gives 'true'). */
function isTrue(location: Location, dialect: SqlDialect): string {
  return `${dialect.text(location)} = ${dialect.name === 'postgres' ? "'true'" : '1'}`;
}

/**
 * A multi-valued attribute sorts by the value of its primary element, or else
 * by the first element that has a value (RFC 7644 §3.4.2.3). Each is a scalar
 * subquery over the elements in array order (json_each / jsonb_array_elements
 * yield them in order, and LIMIT 1 without ORDER BY keeps the first).
 */
function multiValued(target: Target<ScimAttribute>, primary: ScimAttribute | undefined, dialect: SqlDialect): string {
  const array = target.array as Location;
  const pick = (alias: string, condition?: string): string => {
    const value = orderValue({ ...target.location, element: alias }, target.attribute, dialect);
    const where = condition === undefined ? '' : `${condition} AND `;
    return `(SELECT ${value} FROM ${dialect.elements(array, alias)} WHERE ${where}${value} IS NOT NULL LIMIT 1)`;
  };
  const first = pick('scim_sort_first');
  if (primary === undefined) return first;
  const flagged = pick('scim_sort_primary', isTrue({ segments: [primary.name], element: 'scim_sort_primary' }, dialect));
  return `COALESCE(${flagged}, ${first})`;
}

/**
 * Translates a SCIM `sortBy` attribute path (RFC 7644 §3.4.2.3) into a trusted
 * SQL expression for ORDER BY over the same table translateFilter reads.
 * Names are case-insensitive and may be URN-qualified; a complex attribute
 * needs a sub-attribute (`name.familyName`), except a multi-valued one, which
 * sorts by its `value`. caseExact=false strings sort by lower() (Unicode on
 * both databases: Roster's SQLite connections replace the built-in, which
 * folds ASCII only), strings by code point on both databases.
 *
 * Missing values are NULL. The caller orders `ASC NULLS LAST` /
 * `DESC NULLS FIRST` (ScimStore.query does), so resources without the
 * attribute come last ascending and first descending, as the RFC says, on
 * both databases. Unknown or unsortable paths throw
 * RosterError('request.invalid', …, { details: { scimType: 'invalidValue' } }).
 */
export function translateSort(
  path: string,
  schema: ScimResourceSchema,
  dialect: FilterDialect,
  columnOf?: ColumnOf,
  options: { readonly dataColumn?: string } = {},
): string {
  const dataColumn = options.dataColumn ?? 'data';
  const sqlDialect: SqlDialect = dialect === 'sqlite' ? new SqliteFilterDialect(dataColumn) : new PostgresFilterDialect(dataColumn);
  const parsed = parseSortPath(path);
  let target = asSortFault(path, () => resolvePath(parsed, schema, columnOf));
  // The complex attribute holding the sorted value, for its `primary` flag.
  let parent: ScimAttribute | undefined;
  if (target.attribute.type === 'complex') {
    const value = target.array === undefined ? undefined : find(target.attribute, 'value');
    if (value === undefined) throw invalidSort(path, `'${target.attribute.name}' is complex: sort by one of its sub-attributes`);
    parent = target.attribute;
    target = { ...target, attribute: value, location: { ...target.location, segments: [value.name] } };
  } else if (target.array !== undefined && target.location.segments.length > 0) {
    // `emails.type`: the elements are objects of the attribute without its sub-attribute.
    parent = asSortFault(path, () => resolvePath({ ...parsed, subAttribute: undefined }, schema)).attribute;
  }
  const primary = parent === undefined ? undefined : find(parent, 'primary');
  const value = target.array === undefined
    ? orderValue(target.location, target.attribute, sqlDialect)
    : multiValued(target, primary?.type === 'boolean' ? primary : undefined, sqlDialect);
  const textual = target.attribute.type !== 'integer' && target.attribute.type !== 'decimal' && target.attribute.type !== 'boolean';
  return textual ? `${value}${sqlDialect.orderCollation}` : value;
}
