import type { AuditEntry } from '../core/types.js';

/** The CSV columns, in order; `--skip-unreadable` adds UNREADABLE_COLUMN after them. */
export const CSV_COLUMNS = [
  'seq', 'at', 'kind', 'actor', 'identity', 'target', 'reasons', 'before', 'after', 'data', 'prevHash', 'hash',
] as const satisfies readonly (keyof AuditEntry)[];

/** The extra column of an export that skips unreadable entries: empty for an entry, why it could not be read for a marker row. */
export const UNREADABLE_COLUMN = 'unreadable';

const JSON_COLUMNS: ReadonlySet<string> = new Set(['reasons', 'before', 'after', 'data']);

/**
 * A cell a spreadsheet could take for a formula (OWASP, CSV injection):
 * one starting with = + - @ (and, to be safe, their full-width forms),
 * also after leading white space, or with a tab, CR, LF or NUL.
 */
const FORMULA_START = /^(?:[\s\0]*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n\0])/;

/**
 * A plain number (JSON's grammar, so a `data` that is a negative number):
 * left alone, since a spreadsheet reads it as that number and nothing
 * else. A minus followed by anything more (`-2+3+cmd|' /C calc'!A0`) is not
 * a plain number, and is neutralised.
 */
const PLAIN_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * The value with a single quote prefixed when a spreadsheet could run it as
 * a formula. A value that already starts with a quote gets one too, so the
 * rule reverses exactly: a cell starting with `'` had one `'` added.
 */
export function neutraliseFormula(value: string): string {
  if (value.startsWith("'")) return `'${value}`;
  if (!FORMULA_START.test(value) || PLAIN_NUMBER.test(value)) return value;
  return `'${value}`;
}

/**
 * One CSV field: formula-neutralised (neutraliseFormula), then RFC 4180
 * quoted when it holds a comma, quote, CR or LF (or leading/trailing space).
 */
export function csvField(value: string): string {
  const safe = neutraliseFormula(value);
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function cell(entry: AuditEntry, column: (typeof CSV_COLUMNS)[number]): string {
  const value = entry[column];
  if (value === undefined || value === null) return '';
  if (JSON_COLUMNS.has(column)) return JSON.stringify(value);
  return String(value);
}

export function csvHeader(withUnreadable: boolean): string {
  return [...CSV_COLUMNS, ...(withUnreadable ? [UNREADABLE_COLUMN] : [])].join(',') + '\r\n';
}

/** An entry's row; with the unreadable column (empty) when the export has one. */
export function csvRow(entry: AuditEntry, withUnreadable = false): string {
  const fields = CSV_COLUMNS.map((column) => csvField(cell(entry, column)));
  if (withUnreadable) fields.push('');
  return fields.join(',') + '\r\n';
}

/** The row standing for an entry that could not be read: its seq, empty columns, and why in the unreadable column. */
export function csvUnreadableRow(seq: number, reason: string): string {
  const fields = CSV_COLUMNS.map((column) => (column === 'seq' ? String(seq) : ''));
  fields.push(csvField(reason));
  return fields.join(',') + '\r\n';
}
