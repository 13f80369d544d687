import { RosterError } from '../../core/errors.js';
import type { Attributes } from '../../core/types.js';
import type { SqlConnectionConfig } from './config.js';

export type SqlValue = string | number | boolean | null;

/** How attributes and the enabled flag map to columns and values of one dialect. */
export class UserMapping {
  readonly keyColumn: string;
  /** The attribute whose column is the key column (the target's accountKey). */
  readonly keyAttribute: string;
  readonly enabledColumn: string | undefined;
  readonly enabledOn: SqlValue;
  readonly enabledOff: SqlValue;
  readonly #columns: ReadonlyMap<string, string>;
  readonly #dialect: 'sqlite' | 'postgres';
  readonly #targetId: string;

  constructor(config: SqlConnectionConfig['users'], dialect: 'sqlite' | 'postgres', targetId: string) {
    this.#dialect = dialect;
    this.#targetId = targetId;
    this.keyColumn = config.key;
    const columns = new Map(Object.entries(config.columns));
    const keyEntry = [...columns].find(([, column]) => column === config.key);
    this.keyAttribute = keyEntry?.[0] ?? config.key;
    if (keyEntry === undefined) columns.set(config.key, config.key);
    this.#columns = columns;
    this.enabledColumn = config.enabled?.column;
    this.enabledOn = this.bind(config.enabled?.true ?? true);
    this.enabledOff = this.bind(config.enabled?.false ?? false);
  }

  /** The Roster attributes with a column: every read reports each of them unless its column is NULL. */
  attributes(): ReadonlySet<string> {
    return new Set(this.#columns.keys());
  }

  /** Every mapped column (key first), for SELECT lists. */
  selectColumns(): string[] {
    const columns = new Set([this.keyColumn, ...this.#columns.values()]);
    if (this.enabledColumn !== undefined) columns.add(this.enabledColumn);
    return [...columns];
  }

  /** attributes -> { column: value }; an attribute without a column is refused (a config mistake, not data to drop). */
  toRow(attributes: Attributes, operation: string): Record<string, SqlValue> {
    const row: Record<string, SqlValue> = {};
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined) continue;
      const column = this.#columns.get(name);
      if (column === undefined) {
        throw new RosterError('target.rejected', `${operation} on ${this.#targetId}: attribute ${name} has no column (add it to connection.users.columns)`);
      }
      row[column] = this.bind(value);
    }
    return row;
  }

  /** A row read back -> attributes (NULL columns are absent) and enabled. */
  fromRow(row: Record<string, unknown>): { attributes: Record<string, unknown>; enabled: boolean } {
    const attributes: Record<string, unknown> = {};
    for (const [name, column] of this.#columns) {
      const value = row[column];
      if (value !== null && value !== undefined) attributes[name] = value;
    }
    return { attributes, enabled: this.enabledColumn === undefined || this.#isOn(row[this.enabledColumn]) };
  }

  /** A JavaScript value -> what the driver can bind (better-sqlite3 binds no booleans, no objects). */
  bind(value: unknown): SqlValue {
    if (value === null || value === undefined) return null;
    if (typeof value === 'boolean') return this.#dialect === 'sqlite' ? (value ? 1 : 0) : value;
    if (typeof value === 'string' || typeof value === 'number') return value;
    if (typeof value === 'bigint') return value.toString();
    return JSON.stringify(value);
  }

  /**
   * Whether `held` (read back from the column) is how the database stores `written`, though it is not the
   * same JavaScript value: a boolean in a text or integer column ('1', '1.0', 't'), an array or object
   * written as JSON text (or read back parsed from a json/jsonb column, keys reordered), a date or
   * timestamp column read back as a Date. Without this every plan would rewrite such attributes.
   */
  sameValue(written: unknown, held: unknown): boolean {
    if (written === null || written === undefined || held === null || held === undefined) return false;
    if (typeof written === 'boolean') return booleanOf(held) === written;
    if (held instanceof Date) return typeof written === 'string' && sameMoment(written, held);
    if (typeof written === 'object') {
      let parsed: unknown = held;
      if (typeof held === 'string') {
        try {
          parsed = JSON.parse(held);
        } catch {
          return false;
        }
      }
      return stableJson(parsed) === stableJson(written);
    }
    return false;
  }

  #isOn(value: unknown): boolean {
    if (value === this.enabledOn) return true;
    if (value === this.enabledOff) return false;
    // Loose match: '1' vs 1, 'true' vs true (drivers and hand-made tables differ).
    return String(value).toLowerCase() === String(this.enabledOn).toLowerCase();
  }
}

const TRUE_TEXT = /^(?:true|t|1(?:\.0*)?)$/i;
const FALSE_TEXT = /^(?:false|f|0(?:\.0*)?)$/i;

/** A stored boolean in the forms databases give back; undefined when it is not one. */
function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value === 1 || value === 1n ? true : value === 0 || value === 0n ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return TRUE_TEXT.test(text) ? true : FALSE_TEXT.test(text) ? false : undefined;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A date or timestamp column read back as a Date (node-postgres: `date` and `timestamp` at local time,
 * `timestamptz` at its instant) against the text written: the same day for a date, the same instant otherwise.
 */
function sameMoment(written: string, held: Date): boolean {
  const day = DATE_ONLY.exec(written.trim());
  if (day !== null) {
    return held.getFullYear() === Number(day[1]) && held.getMonth() + 1 === Number(day[2]) && held.getDate() === Number(day[3])
      && held.getHours() === 0 && held.getMinutes() === 0 && held.getSeconds() === 0 && held.getMilliseconds() === 0;
  }
  const millis = Date.parse(written.trim());
  return !Number.isNaN(millis) && millis === held.getTime();
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}
