import { genericProfile } from './generic.js';
import type { ScimProfile } from './types.js';

/**
 * Zoom SCIM2. baseUrl: https://api.zoom.us/scim2, OAuth (a server-to-server OAuth app with
 * the scim2 scope): https://developers.zoom.us/docs/api/scim2/ ("Servers", "Authentication").
 */
export const zoomProfile: ScimProfile = {
  ...genericProfile,
  name: 'zoom',
  // `or` in filters: not documented; one search per matchBy attribute.
  filterOr: false,
  // A ServiceProviderConfig endpoint is not listed in the Zoom SCIM2 API reference above.
  discoveryPath: undefined,
  // Same reference: "With the SCIM API, you can use additional features such as Attribute
  // Filters"; PATCH /scim2/Users/{userId} is listed (changelog
  // https://developers.zoom.us/changelog/scim2/december-26-2023).
  declared: { patch: true, filter: true },
  // Same reference: "set the value of the Accept header as application/scim+json" — sent to
  // every server. Members per group PATCH, deletion semantics: not documented there.
};
