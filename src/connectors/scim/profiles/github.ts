import { genericProfile } from './generic.js';
import type { ScimProfile } from './types.js';

/**
 * GitHub Enterprise Cloud with Enterprise Managed Users, and GitHub Enterprise Server.
 * baseUrl: https://api.github.com/scim/v2/enterprises/{enterprise} (EMU) or
 * https://HOSTNAME/api/v3/scim/v2 (GHES)
 * (https://docs.github.com/en/enterprise-cloud@latest/rest/enterprise-admin/scim, "Base URL";
 * https://docs.github.com/en/enterprise-server@latest/rest/enterprise-admin/scim, "Root URLs").
 */
export const githubProfile: ScimProfile = {
  ...genericProfile,
  name: 'github',
  // `or` in filters: not documented; one search per matchBy attribute.
  filterOr: false,
  // ServiceProviderConfig: not documented in the pages above; discovery is still tried
  // and, when it fails, the operations the same pages list are used: PATCH on Users and Groups,
  // filtered GET on /Users.
  declared: { patch: true, filter: true },
  // Same pages: "Endpoints in this category are case-sensitive" (Users, Groups): the connector
  // always writes them capitalised. Members per group PATCH: not documented.
};
