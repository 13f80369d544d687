import type { ScimProfile } from './types.js';

/** A service provider that follows RFC 7643/7644 as written. */
export const genericProfile: ScimProfile = {
  name: 'generic',
  // RFC 7644 §4: "/ServiceProviderConfig" is the discovery endpoint.
  discoveryPath: '/ServiceProviderConfig',
  // Nothing declared: a generic server is trusted only for what it says in discovery.
  declared: undefined,
  // RFC 7644 §3.4.2.2: `or` is part of the filter grammar.
  filterOr: true,
  // RFC 7644 sets no limit on operations per PATCH; a bound keeps bodies small.
  maxMembersPerPatch: 1000,
  // RFC 7643 §4.1.1: `active` is the account's administrative status.
  disableBy: 'active',
  // RFC 7644 §3.6: DELETE removes the resource.
  canDelete: true,
  // RFC 7644 §3.4.2.4: startIndex / count pagination.
  pagination: 'index',
  // RFC 7643 §4.1.2: `groups` on a User lists its group memberships (read-only).
  membershipsFrom: 'user',
  // RFC 7644 §3.4.2.2: a sub-attribute of a multi-valued attribute is filtered as members.value.
  memberFilterAttribute: 'members.value',
  groups: true,
};
