import { genericProfile } from './generic.js';
import type { ScimProfile } from './types.js';

/**
 * AWS IAM Identity Center. baseUrl: the "SCIM endpoint" shown when automatic
 * provisioning is enabled. Sources: IAM Identity Center SCIM Implementation
 * Developer Guide, https://docs.aws.amazon.com/singlesignon/latest/developerguide/.
 */
export const awsProfile: ScimProfile = {
  ...genericProfile,
  name: 'aws',
  // limitations.html: "IAM Identity Center supports /ServiceProviderConfig"; "/Bulk … not
  // supported" (the connector never uses /Bulk); "Filter limitations – Only eq with and is
  // supported" (the connector only sends `eq`).
  discoveryPath: '/ServiceProviderConfig',
  filterOr: false,
  // limitations.html and patchuser.html: PATCH is supported; filters work with eq.
  // listusers.html: "A maximum of 100 results can be returned per page".
  declared: { patch: true, filter: true, maxResults: 100 },
  // patchgroup.html, Constraints: "A maximum of 100 membership changes are allowed in a single request."
  maxMembersPerPatch: 100,
  // listusers.html, Not supported: "startIndex … (despite being listed in the SCIM protocol)";
  // query parameter `cursor` switches to cursor pages with `nextCursor`.
  pagination: 'cursor',
  // listgroups.html, Not supported: "GetGroup and ListGroups return an empty member list. To see
  // group info for a certain member, call ListGroups with a member filter."
  membershipsFrom: 'groupFilter',
  // listgroups.html, Constraints: "Supported filter combinations: … (id and member)", "Filter must
  // be specified as: <filterAttribute> eq "<filterValue>"". The attribute's exact spelling in the
  // examples (members) was not verified against the live service.
  memberFilterAttribute: 'members',
  // limitations.html: multi-valued user attributes (several emails) are not supported: map one
  // email only. Disable by `active`: listed as a supported attribute in the same table.
};
