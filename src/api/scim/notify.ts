import { isRosterError } from '../../core/errors.js';
import type { FollowUpResult } from '../../engine/types.js';
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
  const id = change.kind === 'delete' ? change.id : change.resource.id;
  try {
    const outcome = await onUserChange(change, call.actor);
    if (outcome?.followUp !== undefined) logFollowUp(call, id, outcome.planId, outcome.followUp);
  } catch (error) {
    const code = isRosterError(error) ? error.code : 'internal';
    call.log.warn({ resourceId: id, code }, 'inbound provisioning of a SCIM user change failed; the next sync retries it');
  }
}

/**
 * The follow-up plan of a write's plan (the manager references it deferred)
 * has no place in a SCIM response (RFC 7644 has none for it): it is said in
 * the request log, by plan ids and counts (its errors name accounts: they are
 * in the audit log), a warning when it did not set every reference.
 */
function logFollowUp(call: ScimCall, resourceId: string, planId: string | undefined, followUp: FollowUpResult): void {
  const fields = {
    resourceId, planId, followUpPlanId: followUp.planId, changes: followUp.changes,
    applied: followUp.applied, failed: followUp.failed, pending: followUp.pending,
    ...(followUp.held === true ? { held: true } : {}), ...(followUp.error === undefined ? {} : { notMade: true }),
  };
  if (followUp.held !== true && followUp.error === undefined && followUp.failed === 0 && followUp.pending === 0) {
    call.log.info(fields, 'inbound provisioning of a SCIM user change set the manager references its plan deferred, in a follow-up plan');
    return;
  }
  const why = followUp.error !== undefined ? 'could not be made' : followUp.held === true ? 'is held' : followUp.failed > 0 ? 'failed' : 'still waits';
  call.log.warn(fields, `the follow-up plan setting the manager references a SCIM user change deferred ${why}; `
    + 'see the audit log (plan.created with followUpOf); the next plan sets them');
}
