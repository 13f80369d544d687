import { assertSafeKey, type Location } from './location.js';
import type { Params, ParamCast, SqlDialect } from './sql-dialect.js';
import { likePattern, sqlLiteral } from './sql-dialect.js';

/** PostgreSQL jsonb. Elements come from `jsonb_array_elements` as `alias(v)`. */
export class PostgresFilterDialect implements SqlDialect {
  readonly name = 'postgres' as const;
  readonly orderCollation = ' COLLATE "C"';
  readonly #data: string;

  constructor(dataColumn: string) {
    this.#data = dataColumn;
  }

  placeholder(index: number, cast: ParamCast): string {
    return `$${index}::${cast}`;
  }

  #base(location: Location): string {
    return location.element === undefined ? this.#data : `${location.element}.v`;
  }

  #json(location: Location): string {
    return [this.#base(location), ...location.segments.map((key) => sqlLiteral(assertSafeKey(key)))].join('->');
  }

  text(location: Location): string {
    if (location.column !== undefined) return location.column;
    const { segments } = location;
    if (segments.length === 0) return `(${this.#base(location)} #>> '{}')`;
    const parent = this.#json({ ...location, segments: segments.slice(0, -1) });
    return `(${parent}->>${sqlLiteral(assertSafeKey(segments[segments.length - 1] as string))})`;
  }

  present(location: Location): string {
    if (location.column !== undefined) return `(${location.column} IS NOT NULL AND ${location.column} <> '')`;
    const json = this.#json(location);
    return `COALESCE(CASE jsonb_typeof(${json}) WHEN 'null' THEN FALSE WHEN 'string' THEN ${this.text(location)} <> '' WHEN 'array' THEN jsonb_array_length(${json}) > 0 WHEN 'object' THEN ${json} <> '{}'::jsonb ELSE ${json} IS NOT NULL END, FALSE)`;
  }

  compareNumber(location: Location, op: string, param: (cast: ParamCast) => string): string {
    const json = this.#json(location);
    return `COALESCE(CASE WHEN jsonb_typeof(${json}) = 'number' THEN ${this.text(location)}::numeric ${op} ${param('numeric')} END, FALSE)`;
  }

  isBoolean(location: Location, expected: boolean, params: Params): string {
    return `COALESCE(${this.#json(location)} = ${params.add(expected ? 'true' : 'false', 'jsonb')}, FALSE)`;
  }

  matchExact(text: string, kind: 'co' | 'sw' | 'ew', value: string, params: Params): string {
    return `${text} LIKE ${params.add(likePattern(kind, value))} ESCAPE '\\'`;
  }

  elements(array: Location, alias: string): string {
    if (array.element !== undefined || array.column !== undefined) throw new TypeError('nested arrays are not supported');
    const json = this.#json(array);
    return `jsonb_array_elements(CASE WHEN jsonb_typeof(${json}) = 'array' THEN ${json} WHEN ${json} IS NULL OR jsonb_typeof(${json}) = 'null' THEN '[]'::jsonb ELSE jsonb_build_array(${json}) END) AS ${alias}(v)`;
  }
}
