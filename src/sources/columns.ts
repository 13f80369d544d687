import type { SourceConfig, SourceFields } from '../config/types.js';
import { RosterError } from '../core/errors.js';

/**
 * A column a file source's lifecycle reads (`fields:` status, startDate,
 * endDate, employmentType, manager, and previousKey when it is named). Such a column missing from the file
 * (renamed upstream, say) would make everyone active with no end date: the
 * file is refused instead, so nobody is deprovisioned or brought back by a
 * rename.
 */
export interface ExpectedColumn {
  /** The `fields` entry: status, startDate, endDate, employmentType, manager, previousKey. */
  readonly field: keyof SourceFields;
  /** The column it names. */
  readonly column: string;
  /**
   * Named in roster.yaml: the file must have the column. A defaulted column
   * may be absent (a file without a status column: everyone is active), but
   * not present in another case only ("Status" for "status"): that is the
   * column, renamed.
   */
  readonly required: boolean;
}

const FIELDS: readonly (keyof SourceFields)[] = ['status', 'startDate', 'endDate', 'employmentType', 'manager'];

/** The lifecycle columns of a file source, as its configuration names them (previousKey only when named: it has no default). */
export function expectedColumns(source: Pick<SourceConfig, 'fields' | 'fieldsGiven'>): ExpectedColumn[] {
  const given = new Set(source.fieldsGiven ?? []);
  const columns: ExpectedColumn[] = FIELDS.map((field) => ({ field, column: source.fields[field]!, required: given.has(field) }));
  const { previousKey } = source.fields;
  if (previousKey !== undefined) columns.push({ field: 'previousKey', column: previousKey, required: true });
  return columns;
}

/** How a file's format says a column is missing, and what it calls its columns. */
export interface ColumnWording {
  /** "CSV header has no column", "no JSON record has the field". */
  readonly missing: string;
  /** "columns", "fields". */
  readonly plural: string;
}

export const CSV_WORDING: ColumnWording = { missing: 'CSV header has no column', plural: 'columns' };
export const JSON_WORDING: ColumnWording = { missing: 'no JSON record has the field', plural: 'fields' };

/** Names listed in a message: a JSON file may have many. */
const LISTED = 30;

/**
 * Throws RosterError('source.malformed') when a lifecycle column is not among
 * `present` (a CSV header; the fields a JSON file's records have): a column
 * named in roster.yaml that is absent, or any such column present only in
 * another case.
 */
export function checkColumns(present: ReadonlySet<string>, expected: readonly ExpectedColumn[], wording: ColumnWording): void {
  for (const { field, column, required } of expected) {
    if (present.has(column)) continue;
    const lower = column.toLowerCase();
    const other = [...present].find((name) => name.toLowerCase() === lower);
    if (!required && other === undefined) continue;
    const names = [...present];
    const listed = names.length > LISTED ? `${names.slice(0, LISTED).join(', ')}, … (${names.length} in all)` : names.join(', ');
    const origin = required ? '' : ', by default';
    const hint = other === undefined ? '' : ` ("${other}" differs only in case)`;
    throw new RosterError(
      'source.malformed',
      `${wording.missing} "${column}" (fields.${field}${origin})${hint}; ${wording.plural}: ${listed}. `
        + `Without it nobody's ${field} can be read: correct the file, or set fields.${field} to the column's name`,
      { details: { field, column } },
    );
  }
}
