import { z } from 'zod';
import { RosterError } from '../core/errors.js';
import { isStorableText } from '../core/text.js';

/** Parse request input with a zod schema; a failure is a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'params' | 'query' | 'body'): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path === '' ? `${where}: ${issue.message}` : `${where}.${path}: ${issue.message}`;
    })
    .join('; ');
  throw new RosterError('request.invalid', message);
}

/** Query-string integers: digits only (no coercion of "1e3" or " 5"). */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'expected a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Query-string booleans: only "true" and "false" (z.coerce.boolean("false") is true). */
export const queryBool = z.enum(['true', 'false']).transform((value) => value === 'true');

/**
 * Text a route hands to the store (an id, a filter value): bounded, and free of
 * what PostgreSQL refuses, so such input is a 400 on both back ends, never a 500.
 */
export const storedText = (min: number, max: number) =>
  z.string().min(min).max(max).refine(isStorableText, 'must not hold U+0000 or an unpaired surrogate');

export const idParam = z.object({ id: storedText(1, 256) });

/** An operator's reason (a hold, a cancel), for the audit log: required, not blank. */
export const reasonText = storedText(1, 1000).refine((text) => text.trim() !== '', 'must say why');
