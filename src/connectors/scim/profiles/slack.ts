import { genericProfile } from './generic.js';
import type { ScimProfile } from './types.js';

/**
 * Slack SCIM API v2. baseUrl: https://api.slack.com/scim/v2
 * (https://docs.slack.dev/reference/scim-api, tab "v2.0": endpoints under /scim/v2/).
 */
export const slackProfile: ScimProfile = {
  ...genericProfile,
  name: 'slack',
  // `or` in filters: not documented in the pages above; one search per matchBy attribute.
  filterOr: false,
  // https://docs.slack.dev/reference/scim-api (v2.0 table): "GET /ServiceProviderConfig —
  // Returns Slack's configuration details". (v1.1 serves /ServiceProviderConfigs instead.)
  discoveryPath: '/ServiceProviderConfig',
  // Same table: PATCH /Users/<id> and PATCH /Groups/<id> exist; GET /Users "returns a paginated
  // list". Declared so that a failed discovery does not stop provisioning.
  declared: { patch: true, filter: true },
  // Same table: "DELETE /Users/<id> — Sets a Slack user to deactivated": disable is a DELETE,
  // and there is no real delete of a user.
  disableBy: 'delete',
  canDelete: false,
  // https://docs.slack.dev/reference/scim-api/rate-limits: 429 with Retry-After, writes limited
  // to 600/min org-wide (180/min for POST/PATCH/DELETE on /Users). Handled by the HTTP layer for
  // every profile; members per group PATCH: not documented, the generic bound applies.
};
