import { awsProfile } from './aws.js';
import { genericProfile } from './generic.js';
import { githubProfile } from './github.js';
import { salesforceProfile } from './salesforce.js';
import { slackProfile } from './slack.js';
import type { ScimProfile } from './types.js';
import { zoomProfile } from './zoom.js';

export type { ScimCapabilities, ScimProfile } from './types.js';
export { DEFAULT_PAGE_SIZE } from './types.js';

/** Every profile, by the `profile:` name of a scim target. */
export const scimProfiles = Object.freeze({
  generic: genericProfile,
  slack: slackProfile,
  github: githubProfile,
  aws: awsProfile,
  salesforce: salesforceProfile,
  zoom: zoomProfile,
} satisfies Record<string, ScimProfile>);

export type ScimProfileName = keyof typeof scimProfiles;
export const scimProfileNames = Object.keys(scimProfiles) as [ScimProfileName, ...ScimProfileName[]];
