import type { CompareNode } from './ast.js';
import { invalidFilter } from './errors.js';
import type { ScimAttribute } from './schema.js';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Normalises an xsd:dateTime to UTC `YYYY-MM-DDTHH:MM:SS.sssZ` (what
 * `Date.prototype.toISOString()` prints). Filters compare dateTimes as strings
 * in this form, so the store must write dateTime attributes (meta.created,
 * meta.lastModified, …) in this same form. A value without a zone is UTC.
 * Returns undefined when the text is not an ISO 8601 date-time.
 */
export function normaliseDateTime(text: string): string | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (match === null) return undefined;
  const hasTime = text.length > 10;
  const zoned = hasTime && match[1] === undefined ? `${text}Z` : text;
  const millis = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
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
      if (normalised === undefined) throw invalidFilter(`${where} needs an ISO 8601 date-time string`, node.offset);
      return normalised;
    }
    default:
      if (typeof value === 'string') return value;
      throw invalidFilter(`${where} needs a "string" (the attribute is ${attribute.type})`, node.offset);
  }
}
