import type { CompareNode, FilterNode, LogicalNode, PresentNode } from './ast.js';
import { invalidFilter } from './errors.js';
import { comparePredicate } from './compare.js';
import type { Location, Target } from './location.js';
import { PostgresFilterDialect } from './postgres.js';
import { resolvePath, resolveSubPath, type ColumnOf } from './resolve.js';
import type { ScimAttribute, ScimResourceSchema } from './schema.js';
import { Params, type FilterDialect, type SqlDialect } from './sql-dialect.js';
import { SqliteFilterDialect } from './sqlite.js';

export interface TranslatedFilter {
  /** A boolean SQL expression for a WHERE clause; never NULL. */
  readonly sql: string;
  /** Bound values, in placeholder order (`?` for SQLite, `$n` for PostgreSQL). */
  readonly params: readonly unknown[];
}

export interface TranslateOptions {
  /** The JSON (SQLite) / jsonb (PostgreSQL) column holding the resource; default `data`. Trusted SQL. */
  readonly dataColumn?: string;
  /** PostgreSQL: number of the first placeholder, when the filter joins a query that already has parameters; default 1. */
  readonly firstParam?: number;
}

/** Inside a value path: the parent complex attribute and where one of its values sits. */
interface Scope {
  readonly parent: ScimAttribute;
  readonly base: Location;
}

class Translator {
  readonly #schema: ScimResourceSchema;
  readonly #dialect: SqlDialect;
  readonly #columnOf: ColumnOf | undefined;
  readonly params: Params;
  #aliases = 0;

  constructor(schema: ScimResourceSchema, dialect: SqlDialect, columnOf: ColumnOf | undefined, firstParam: number) {
    this.#schema = schema;
    this.#dialect = dialect;
    this.#columnOf = columnOf;
    this.params = new Params((index, cast) => dialect.placeholder(index, cast), firstParam);
  }

  node(node: FilterNode, scope?: Scope): string {
    switch (node.kind) {
      case 'and':
      case 'or':
        return this.#chain(node.kind, operandsOf(node).map((operand) => this.node(operand, scope)));
      case 'not':
        return `(NOT ${this.node(node.filter, scope)})`;
      case 'present':
        return this.#present(node, scope);
      case 'compare':
        return this.#compare(node, scope);
      case 'valuePath':
        return this.#valuePath(node.filter, this.#resolve(node, scope), scope);
    }
  }

  /**
   * `a or b or c …` as a balanced tree of parentheses: the parser's left-deep chain nested one level per
   * operand, and SQLite refuses an expression deeper than 1000 levels, which a filter within the length
   * limit reaches (`id pr or id pr or …`). Both operators are associative and every predicate is
   * two-valued, so the grouping changes nothing; the operands keep their order (and so their parameters).
   */
  #chain(kind: 'and' | 'or', parts: readonly string[]): string {
    if (parts.length === 1) return parts[0] as string;
    const middle = Math.ceil(parts.length / 2);
    return `(${this.#chain(kind, parts.slice(0, middle))} ${kind.toUpperCase()} ${this.#chain(kind, parts.slice(middle))})`;
  }

  #resolve(node: FilterNode & { readonly path: CompareNode['path'] }, scope?: Scope): Target<ScimAttribute> {
    return scope === undefined ? resolvePath(node.path, this.#schema, this.#columnOf) : resolveSubPath(node.path, scope.parent, scope.base);
  }

  #present(node: PresentNode, scope?: Scope): string {
    const target = this.#resolve(node, scope);
    return this.#overElements(target, (location) => this.#dialect.present(location));
  }

  #compare(node: CompareNode, scope?: Scope): string {
    let target = this.#resolve(node, scope);
    if (node.value === null) {
      if (node.operator !== 'eq' && node.operator !== 'ne') throw invalidFilter(`'${node.operator}' cannot compare with null`, node.offset);
      const present = this.#overElements(target, (location) => this.#dialect.present(location));
      return node.operator === 'eq' ? `(NOT ${present})` : present;
    }
    if (target.attribute.type === 'complex') {
      if (['gt', 'ge', 'lt', 'le'].includes(node.operator)) {
        throw invalidFilter(`'${node.operator}' cannot be used on complex attribute '${node.path.text}'`, node.offset);
      }
      target = this.#valueOf(target, node);
    }
    const attribute = target.attribute;
    return this.#overElements(target, (location) => comparePredicate(node, attribute, location, this.#dialect, this.params));
  }

  /** `emails co "x"` compares `emails.value` (RFC 7644 §3.4.2.2). */
  #valueOf(target: Target<ScimAttribute>, node: CompareNode): Target<ScimAttribute> {
    const value = target.attribute.subAttributes?.find((sub) => sub.name.toLowerCase() === 'value');
    if (value === undefined || value.type === 'complex') {
      throw invalidFilter(`'${node.path.text}' is complex: compare one of its sub-attributes`, node.offset);
    }
    const location = { ...target.location, segments: [...target.location.segments, value.name] };
    return { ...target, attribute: value, location };
  }

  #valuePath(filter: FilterNode, target: Target<ScimAttribute>, scope?: Scope): string {
    if (scope !== undefined || target.attribute.type !== 'complex') {
      throw invalidFilter(`'${target.text}[…]' needs a complex attribute`, filter.offset);
    }
    const parent = target.attribute;
    return this.#overElements(target, (base) => this.node(filter, { parent, base }));
  }

  /** Wraps a predicate on one value in EXISTS over the array's elements when the path crosses a multi-valued attribute. */
  #overElements(target: Target<ScimAttribute>, predicate: (location: Location) => string): string {
    if (target.array === undefined) return predicate(target.location);
    this.#aliases += 1;
    const alias = `scim_e${this.#aliases}`;
    const inner = predicate({ ...target.location, element: alias });
    return `EXISTS (SELECT 1 FROM ${this.#dialect.elements(target.array, alias)} WHERE ${inner})`;
  }
}

/** The operands of a chain of one logical operator, in order, without recursion (a chain may be 1,000 long). */
function operandsOf(node: LogicalNode): FilterNode[] {
  const operands: FilterNode[] = [];
  const pending: FilterNode[] = [node];
  while (pending.length > 0) {
    const next = pending.pop() as FilterNode;
    if (next.kind === node.kind) pending.push((next as LogicalNode).right, (next as LogicalNode).left);
    else operands.push(next);
  }
  return operands;
}

/**
 * Translates a parsed filter into a WHERE clause over `scim_resources` whose
 * JSON column holds the resource as on the wire. Every comparison value is a
 * bound parameter; attribute names come from `schema` (never from the filter
 * text) and are inlined so expression indexes can match. Unknown attributes and
 * operators that do not fit the attribute's type throw
 * RosterError('request.invalid', …, { details: { scimType: 'invalidFilter', offset } }).
 */
export function translateFilter(
  node: FilterNode,
  schema: ScimResourceSchema,
  dialect: FilterDialect,
  columnOf?: ColumnOf,
  options: TranslateOptions = {},
): TranslatedFilter {
  const dataColumn = options.dataColumn ?? 'data';
  const sqlDialect = dialect === 'sqlite' ? new SqliteFilterDialect(dataColumn) : new PostgresFilterDialect(dataColumn);
  const translator = new Translator(schema, sqlDialect, columnOf, options.firstParam ?? 1);
  const sql = translator.node(node);
  return { sql, params: [...translator.params.values] };
}
