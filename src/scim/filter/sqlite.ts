import { assertSafeKey, type Location } from './location.js';
import type { Params, ParamCast, SqlDialect } from './sql-dialect.js';
import { sqlLiteral } from './sql-dialect.js';

/**
 * SQLite JSON1 over a JSON text column. Elements come from `json_each`; a
 * sub-attribute of one is read from the row's own `value` (that element's
 * JSON), not from the whole document through `fullkey`, which would parse the
 * document again per element: quadratic in the array's size.
 */
export class SqliteFilterDialect implements SqlDialect {
  readonly name = 'sqlite' as const;
  readonly orderCollation = '';
  readonly #data: string;

  constructor(dataColumn: string) {
    this.#data = dataColumn;
  }

  placeholder(_index: number, _cast: ParamCast): string {
    return '?';
  }

  #path(segments: readonly string[]): string {
    return `$${segments.map((key) => `."${assertSafeKey(key)}"`).join('')}`;
  }

  /** `json_x(data, path)` for the location; for a whole element, `direct` (e.g. `e1.value`). */
  #call(fn: string, location: Location, direct: string): string {
    if (location.element === undefined) return `${fn}(${this.#data}, ${sqlLiteral(this.#path(location.segments))})`;
    if (location.segments.length === 0) return `${location.element}.${direct}`;
    // Only an object has sub-attributes. json_each gives a scalar as its SQL value (a string unquoted), which
    // must not be parsed as JSON: the string '{"value":"x"}' would match. NULL reads as absent, as `fullkey` did.
    return `${fn}(CASE ${location.element}.type WHEN 'object' THEN ${location.element}.value END, ${sqlLiteral(this.#path(location.segments))})`;
  }

  text(location: Location): string {
    return location.column ?? this.#call('json_extract', location, 'value');
  }

  #type(location: Location): string {
    return this.#call('json_type', location, 'type');
  }

  present(location: Location): string {
    if (location.column !== undefined) return `(${location.column} IS NOT NULL AND ${location.column} <> '')`;
    const value = this.text(location);
    const type = this.#type(location);
    return `COALESCE(CASE ${type} WHEN 'null' THEN 0 WHEN 'text' THEN ${value} <> '' WHEN 'array' THEN ${value} <> '[]' WHEN 'object' THEN ${value} <> '{}' ELSE ${type} IS NOT NULL END, 0)`;
  }

  compareNumber(location: Location, op: string, param: (cast: ParamCast) => string): string {
    return `(COALESCE(${this.#type(location)} IN ('integer', 'real'), 0) AND ${this.text(location)} ${op} ${param('numeric')})`;
  }

  isBoolean(location: Location, expected: boolean, params: Params): string {
    return `COALESCE(${this.#type(location)} = ${params.add(expected ? 'true' : 'false')}, 0)`;
  }

  matchExact(text: string, kind: 'co' | 'sw' | 'ew', value: string, params: Params): string {
    const escaped = value.replace(/[*?[]/g, (ch) => `[${ch}]`);
    const pattern = kind === 'co' ? `*${escaped}*` : kind === 'sw' ? `${escaped}*` : `*${escaped}`;
    return `${text} GLOB ${params.add(pattern)}`;
  }

  elements(array: Location, alias: string): string {
    if (array.element !== undefined || array.column !== undefined) throw new TypeError('nested arrays are not supported');
    return `json_each(${this.#data}, ${sqlLiteral(this.#path(array.segments))}) AS ${alias}`;
  }
}
