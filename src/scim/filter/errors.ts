import { RosterError } from '../../core/errors.js';

/** SCIM `scimType` for every filter fault (RFC 7644 §3.12). */
export const INVALID_FILTER = 'invalidFilter';

/**
 * The one error a filter fault becomes: `request.invalid`, with
 * `details.scimType = 'invalidFilter'` and the offset of the fault, so the SCIM
 * edge can answer 400 without knowing about the parser.
 */
export function invalidFilter(message: string, offset: number): RosterError {
  return new RosterError('request.invalid', `Invalid filter at offset ${offset}: ${message}`, {
    details: { scimType: INVALID_FILTER, offset },
  });
}
