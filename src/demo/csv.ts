import type { Person } from './people.js';

/** The CSV columns, in file order. */
export const PERSON_COLUMNS: readonly (keyof Person)[] = [
  'employeeId', 'givenName', 'familyName', 'email', 'department', 'title', 'location',
  'managerId', 'employmentType', 'startDate', 'endDate', 'status', 'costCenter',
];

/** RFC 4180 CSV with a header row and LF line ends; fields are quoted only when needed. */
export function toCsv(people: readonly Person[]): string {
  const lines = new Array<string>(people.length + 1);
  lines[0] = PERSON_COLUMNS.join(',');
  const cells = new Array<string>(PERSON_COLUMNS.length);
  people.forEach((person, row) => {
    PERSON_COLUMNS.forEach((column, index) => { cells[index] = quote(person[column]); });
    lines[row + 1] = cells.join(',');
  });
  return `${lines.join('\n')}\n`;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function quote(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
