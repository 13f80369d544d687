import { RosterError } from '../../core/errors.js';

/**
 * The RFC 7644 §3.12 `scimType`s this folder raises: body checks (POST, PUT)
 * and PATCH alike. invalidFilter, uniqueness and the rest come from the
 * filter module and the store.
 */
export type ScimFaultType = 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'mutability' | 'tooMany';

/**
 * The one error a client's bad resource body or PATCH becomes:
 * `request.invalid` with `details.scimType`, so the SCIM edge answers 400
 * without knowing the rules.
 */
export function scimFault(scimType: ScimFaultType, message: string, cause?: unknown): RosterError {
  return new RosterError('request.invalid', message, { details: { scimType }, ...(cause === undefined ? {} : { cause }) });
}
