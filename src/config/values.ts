import { z } from 'zod';

/**
 * Field types that accept what `${env:…}` and `${file:…}` substitution gives:
 * substitution always yields text, so `poolSize: ${env:POOL}` is the string
 * "8" and `createTables: ${env:CREATE}` the string "true". A plain YAML number
 * or boolean is accepted as before; any other text is still refused.
 */

function numericText(value: unknown): unknown {
  return typeof value === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

/** The boolean a boolean field takes `value` as: a YAML boolean, or the text `true` / `false` (any case); other values are left as they are. */
export function booleanText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  return text === 'true' ? true : text === 'false' ? false : value;
}

/** A number field (give the bounds on `schema`); numeric text is taken as the number. */
export function numberField<T extends z.ZodType>(schema: T) {
  return z.preprocess(numericText, schema);
}

/** A boolean field; the text `true` or `false` (any case) is taken as the boolean. */
export function booleanField() {
  return z.preprocess(booleanText, z.boolean());
}
