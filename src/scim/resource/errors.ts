import { RosterError } from '../../core/errors.js';

/** The RFC 7644 §3.12 `scimType`s this folder raises. */
export type ScimFaultType = 'invalidSyntax' | 'invalidValue' | 'mutability';

/**
 * The one error a client's bad resource body becomes: `request.invalid` with
 * `details.scimType`, so the SCIM edge answers 400 without knowing the rules.
 */
export function scimFault(scimType: ScimFaultType, message: string): RosterError {
  return new RosterError('request.invalid', message, { details: { scimType } });
}
