import type { ScimAttribute } from '../filter/schema.js';
import { normaliseDateTime } from '../filter/values.js';
import { scimFault } from './errors.js';

/** Largest string value accepted, in UTF-8 bytes. */
export const MAX_STRING_BYTES = 4096;

/** Unpaired UTF-16 surrogates: not valid Unicode, and PostgreSQL's jsonb refuses them, as it refuses U+0000. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks a scalar value against its attribute's type (RFC 7643 §2.3) and puts
 * it in stored form. Returns undefined for "" (RFC 7643 §2.5: unassigned).
 * Booleans also accept "true"/"false" strings in any case: Microsoft Entra ID
 * sends "True"/"False". dateTimes are stored in `normaliseDateTime` form, the
 * form the filter compares against.
 */
export function scalarValue(attribute: ScimAttribute, value: unknown, path: string): string | number | boolean | undefined {
  switch (attribute.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw wrongType(path, 'true or false', value);
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      throw wrongType(path, 'an integer', value);
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw wrongType(path, 'a number', value);
    case 'dateTime': {
      if (value === '') return undefined;
      const normalised = typeof value === 'string' && value.length <= 64 ? normaliseDateTime(value) : undefined;
      if (normalised === undefined) throw wrongType(path, 'an xsd:dateTime string', value);
      return normalised;
    }
    case 'string':
    case 'reference':
      if (typeof value !== 'string') throw wrongType(path, 'a string', value);
      return value === '' ? undefined : checkedString(value, path);
    default:
      throw wrongType(path, 'an object', value);
  }
}

function checkedString(value: string, path: string): string {
  if (value.length > MAX_STRING_BYTES || Buffer.byteLength(value, 'utf8') > MAX_STRING_BYTES) {
    throw scimFault('invalidValue', `'${path}' is longer than ${MAX_STRING_BYTES} bytes`);
  }
  if (UNSTORABLE.test(value)) throw scimFault('invalidValue', `'${path}' holds U+0000 or an unpaired surrogate`);
  return value;
}

function wrongType(path: string, expected: string, value: unknown): Error {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return scimFault('invalidValue', `'${path}' must be ${expected}, not ${got}`);
}
