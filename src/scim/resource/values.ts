import type { ScimAttribute } from '../filter/schema.js';
import { normaliseDateTime } from '../filter/values.js';
import { scimFault } from './errors.js';
import { isStorableText } from '../../core/text.js';

/** Largest string value accepted, in UTF-8 bytes. */
export const MAX_STRING_BYTES = 4096;

/** Unpaired UTF-16 surrogates: not valid Unicode, and PostgreSQL's jsonb refuses them, as it refuses U+0000. */

/**
 * Checks a scalar value against its attribute's type (RFC 7643 §2.3) and puts
 * it in stored form; POST, PUT and PATCH all come through here, so they accept
 * and refuse the same values. Returns undefined for "" (RFC 7643 §2.5:
 * unassigned).
 *
 * Beyond RFC 7643's JSON types, a string that spells the value is taken:
 * "true"/"false" in any case for booleans (Microsoft Entra ID sends
 * "True"/"False", as its SCIM compliance notes say) and a plain decimal
 * numeral for integers and decimals (values that come out of an identity
 * provider's string-typed attribute mappings). Either meaning is unambiguous,
 * and refusing it would stop a provisioning run over a quoting difference.
 * dateTimes are stored in `normaliseDateTime` form, the form the filter
 * compares against; a day that does not exist ("2026-02-31") is refused.
 */
export function scalarValue(attribute: ScimAttribute, value: unknown, path: string): string | number | boolean | undefined {
  switch (attribute.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw wrongType(path, 'true or false', value);
    case 'integer': {
      const number = numberOf(value);
      if (number !== undefined && Number.isSafeInteger(number)) return number;
      throw wrongType(path, 'an integer', value);
    }
    case 'decimal': {
      const number = numberOf(value);
      if (number !== undefined) return number;
      throw wrongType(path, 'a number', value);
    }
    case 'dateTime': {
      if (value === '') return undefined;
      const normalised = typeof value === 'string' && value.length <= 64 ? normaliseDateTime(value) : undefined;
      if (normalised === undefined) throw wrongType(path, 'an xsd:dateTime string naming a real day', value);
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

/** A JSON numeral: `42`, `-1.5`, `2e3` (RFC 8259 §6), at most 32 characters so no string is parsed at length. */
const NUMERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A finite number, given as one or as a JSON numeral in a string; undefined for anything else. */
function numberOf(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.length <= 32 && NUMERAL.test(value) ? Number(value) : undefined;
  return number !== undefined && Number.isFinite(number) ? number : undefined;
}

function checkedString(value: string, path: string): string {
  if (value.length > MAX_STRING_BYTES || Buffer.byteLength(value, 'utf8') > MAX_STRING_BYTES) {
    throw scimFault('invalidValue', `'${path}' is longer than ${MAX_STRING_BYTES} bytes`);
  }
  if (!isStorableText(value)) throw scimFault('invalidValue', `'${path}' holds U+0000 or an unpaired surrogate`);
  return value;
}

function wrongType(path: string, expected: string, value: unknown): Error {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return scimFault('invalidValue', `'${path}' must be ${expected}, not ${got}`);
}
