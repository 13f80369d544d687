import type { CompareNode } from './ast.js';
import { invalidFilter } from './errors.js';
import type { Location } from './location.js';
import type { ScimAttribute } from './schema.js';
import type { Params, SqlDialect } from './sql-dialect.js';
import { likePattern } from './sql-dialect.js';
import { comparisonValue } from './values.js';

const ORDER: Readonly<Record<string, string>> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

/**
 * One comparison at one location, as an SQL predicate that is never NULL (so
 * `not ( … )` stays two-valued). A comparison needs a value: an absent
 * attribute matches no operator, `ne` included; use `not (x eq v)` for that.
 */
export function comparePredicate(node: CompareNode, attribute: ScimAttribute, location: Location, dialect: SqlDialect, params: Params): string {
  const { operator } = node;
  const symbol = ORDER[operator];
  const refuse = (why: string): never => {
    throw invalidFilter(`'${operator}' cannot be used on '${node.path.text}' (${why})`, node.offset);
  };
  if (symbol === undefined && attribute.type === 'dateTime') return refuse('it is a dateTime: no substring match');
  const value = comparisonValue(node, attribute);
  if (typeof value === 'boolean') {
    if (symbol === undefined || (operator !== 'eq' && operator !== 'ne')) return refuse('it is boolean: only eq, ne and pr');
    return dialect.isBoolean(location, operator === 'eq' ? value : !value, params);
  }
  if (typeof value === 'number') {
    if (symbol === undefined) return refuse(`it is ${attribute.type}: no substring match`);
    if (location.column !== undefined) return `(${location.column} IS NOT NULL AND ${location.column} ${symbol} ${params.add(value, 'numeric')})`;
    return dialect.compareNumber(location, symbol, (cast) => params.add(value, cast));
  }
  const text = dialect.text(location);
  const caseInsensitive = attribute.type === 'string' && !attribute.caseExact;
  const left = caseInsensitive ? `lower(${text})` : text;
  const right = (param: unknown): string => (caseInsensitive ? `lower(${params.add(param)})` : params.add(param));
  let condition: string;
  if (symbol !== undefined) {
    const collation = operator === 'eq' || operator === 'ne' ? '' : dialect.orderCollation;
    condition = `${left}${collation} ${symbol} ${right(value)}`;
  } else {
    const kind = operator as 'co' | 'sw' | 'ew';
    condition = caseInsensitive
      ? `${left} LIKE ${right(likePattern(kind, value))} ESCAPE '\\'`
      : dialect.matchExact(text, kind, value, params);
  }
  return `(${text} IS NOT NULL AND ${condition})`;
}
