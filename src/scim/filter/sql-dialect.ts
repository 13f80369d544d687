import type { Location } from './location.js';

export type FilterDialect = 'sqlite' | 'postgres';

export type ParamCast = 'text' | 'numeric' | 'jsonb';

/** Collects bound parameters; values never go into the SQL text. */
export class Params {
  readonly values: unknown[] = [];
  readonly #placeholder: (index: number, cast: ParamCast) => string;
  readonly #first: number;

  constructor(placeholder: (index: number, cast: ParamCast) => string, first = 1) {
    this.#placeholder = placeholder;
    this.#first = first;
  }

  add(value: unknown, cast: ParamCast = 'text'): string {
    this.values.push(value);
    return this.#placeholder(this.#first + this.values.length - 1, cast);
  }
}

/** The JSON access a dialect provides; each method returns an SQL expression. */
export interface SqlDialect {
  readonly name: FilterDialect;
  placeholder(index: number, cast: ParamCast): string;
  /** The value as SQL text (NULL when absent or JSON null). */
  text(location: Location): string;
  /** True when the value is present: not null, not "", not [], not {}. Never NULL. */
  present(location: Location): string;
  /** `value <op> param` for JSON numbers only. Never NULL. */
  compareNumber(location: Location, op: string, param: (cast: ParamCast) => string): string;
  /** The value is the JSON boolean `expected`. Never NULL. */
  isBoolean(location: Location, expected: boolean, params: Params): string;
  /** Case-sensitive "matches pattern" for co/sw/ew (LIKE is case-insensitive in SQLite). */
  matchExact(text: string, kind: 'co' | 'sw' | 'ew', value: string, params: Params): string;
  /** Appended after the left side of an ordering comparison of strings. */
  readonly orderCollation: string;
  /** A FROM item iterating the elements of the array at `array` as `alias`. */
  elements(array: Location, alias: string): string;
}

/** Escapes `%`, `_` and `\` so a value is matched literally by `LIKE … ESCAPE '\'`. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

export function likePattern(kind: 'co' | 'sw' | 'ew', value: string): string {
  const escaped = escapeLike(value);
  return kind === 'co' ? `%${escaped}%` : kind === 'sw' ? `${escaped}%` : `%${escaped}`;
}

/** A string as an SQL literal (only ever used for schema-derived keys, already restricted to safe characters). */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
