export type * from './types.js';
export { resourceTypeDocument, resourceTypesDocument, schemaDocument, schemasDocument, serviceProviderConfig } from './discovery.js';
export { scimFault, type ScimFaultType } from './errors.js';
export { MAX_GROUP_MEMBERS, prepareResource, type PrepareOptions } from './prepare.js';
export { parseProjection, projectResource, type ProjectOptions } from './project.js';
export { createScimRegistry } from './registry.js';
export * from './schemas.js';
export { MAX_ELEMENTS } from './check.js';
export { MAX_STRING_BYTES } from './values.js';
