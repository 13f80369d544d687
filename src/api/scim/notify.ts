import { isRosterError } from '../../core/errors.js';
import type { ScimResourceType } from '../../scim/resource/types.js';
import type { ScimCall, ScimServer } from './context.js';
import type { ScimUserChange } from './types.js';

/**
 * Inbound provisioning: hands a committed User write to the engine before the
 * response goes out. The write stands whatever happens here (the next sync of
 * the SCIM source picks it up), so a failure is only logged — by code and
 * resource id, never with the resource, which may hold personal data.
 */
export async function notifyUserChange(server: ScimServer, call: ScimCall, type: ScimResourceType, change: ScimUserChange): Promise<void> {
  const onUserChange = server.options.onUserChange;
  if (onUserChange === undefined || type.name !== 'User') return;
  try {
    await onUserChange(change, call.actor);
  } catch (error) {
    const id = change.kind === 'delete' ? change.id : change.resource.id;
    const code = isRosterError(error) ? error.code : 'internal';
    call.log.warn({ resourceId: id, code }, 'inbound provisioning of a SCIM user change failed; the next sync retries it');
  }
}
