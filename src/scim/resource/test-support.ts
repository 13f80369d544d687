import { isRosterError } from '../../core/errors.js';

/** Runs `run`, expecting RosterError('request.invalid'); returns its scimType and message (test helper). */
export function faultOf(run: () => unknown): { scimType: unknown; message: string } {
  try {
    run();
  } catch (error) {
    if (!isRosterError(error, 'request.invalid')) throw error;
    return { scimType: error.details?.['scimType'], message: error.message };
  }
  throw new Error('no fault was raised');
}
