import { genericProfile } from './generic.js';
import type { ScimProfile } from './types.js';

/**
 * Salesforce. baseUrl: https://MyDomainName.my.salesforce.com/services/scim/v2; an OAuth 2.0
 * access token is required ("SCIM and REST API Reference Sheet",
 * https://help.salesforce.com/s/articleView?id=xcloud.identity_scim_rest_api.htm&type=5).
 */
export const salesforceProfile: ScimProfile = {
  ...genericProfile,
  name: 'salesforce',
  // `or` in filters: not documented in the Reference Sheet; one search per matchBy attribute.
  filterOr: false,
  // Reference Sheet: capabilities are served at /services/scim/v2/ServiceProviderConfigs (plural).
  discoveryPath: '/ServiceProviderConfigs',
  // "Manage Salesforce User Identities with SCIM" (id=sf.identity_scim_overview.htm): "Examples:
  // Update Users with SCIM … send a PATCH request to the Users endpoint".
  declared: { patch: true, filter: true },
  // Same page: "In Salesforce, you deactivate user objects rather than deleting them. By
  // deactivating a user object, the user's active status becomes false."
  disableBy: 'active',
  canDelete: false,
  // Salesforce access is profiles and permission sets (its /Entitlements endpoint, read-only in
  // the Reference Sheet); pushing entitlements as SCIM Groups is not documented there.
  groups: false,
};
