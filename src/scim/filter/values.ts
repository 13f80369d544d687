import type { CompareNode } from './ast.js';
import { invalidFilter } from './errors.js';
import type { ScimAttribute } from './schema.js';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Normalises an xsd:dateTime to UTC `YYYY-MM-DDTHH:MM:SS.sssZ` (what
 * `Date.prototype.toISOString()` prints). Filters compare dateTimes as strings
 * in this form, so the store must write dateTime attributes (meta.created,
 * meta.lastModified, …) in this same form. A value without a zone is UTC.
 * Returns undefined when the text is not an ISO 8601 date-time, or names a
 * day that does not exist: `Date.parse` rolls "2026-02-31" over to 3 March
 * instead of refusing it, and a stored or compared value must be what the
 * client meant. (`T24:00:00`, the end of a day in xsd:dateTime, stays the
 * next day's midnight.)
 */
export function normaliseDateTime(text: string): string | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (match === null || !realDay(text)) return undefined;
  const hasTime = text.length > 10;
  const zoned = hasTime && match[1] === undefined ? `${text}Z` : text;
  const millis = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the leading `YYYY-MM-DD` is a day of the proleptic Gregorian calendar (ISO 8601). */
function realDay(text: string): boolean {
  const [year, month, day] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

/** The comparison value checked against the attribute's type: a string, a number or a boolean. */
export function comparisonValue(node: CompareNode, attribute: ScimAttribute): string | number | boolean {
  const { value, operator, path } = node;
  const where = `'${path.text} ${operator}'`;
  switch (attribute.type) {
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw invalidFilter(`${where} needs true or false (the attribute is boolean)`, node.offset);
    }
    case 'integer':
    case 'decimal':
      if (typeof value === 'number') return value;
      throw invalidFilter(`${where} needs a number (the attribute is ${attribute.type})`, node.offset);
    case 'dateTime': {
      const normalised = typeof value === 'string' ? normaliseDateTime(value) : undefined;
      if (normalised === undefined) throw invalidFilter(`${where} needs an ISO 8601 date-time string naming a real day`, node.offset);
      return normalised;
    }
    default:
      if (typeof value === 'string') return value;
      throw invalidFilter(`${where} needs a "string" (the attribute is ${attribute.type})`, node.offset);
  }
}
