import { RosterError } from '../../core/errors.js';

/** The RFC 7644 §3.12 `scimType` values a PATCH request can fail with. */
export type PatchScimType = 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'mutability' | 'tooMany';

/**
 * The one error every PATCH fault becomes: `request.invalid` with the
 * `scimType` the SCIM edge puts in its 400 body, so the routes need not know
 * how the patch was applied.
 */
export function patchError(scimType: PatchScimType, message: string, cause?: unknown): RosterError {
  return new RosterError('request.invalid', message, { details: { scimType }, ...(cause === undefined ? {} : { cause }) });
}
