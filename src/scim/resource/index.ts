export type * from './types.js';
export { resourceTypeDocument, resourceTypesDocument, schemaDocument, schemasDocument, serviceProviderConfig } from './discovery.js';
export { scimFault, type ScimFaultType } from './errors.js';
export { MAX_GROUP_MEMBERS, prepareResource, type PrepareOptions } from './prepare.js';
export {
  applyPatch, MAX_PATCH_OPERATIONS, MAX_VALUE_VISITS, PATCH_OP_SCHEMA, type PatchResult, type ServerManagedValues,
} from './patch.js';
export { compileElementFilter, type ElementPredicate } from './patch-filter.js';
export { parsePatchPath, resolvePatchPath, type ParsedPath, type PatchTarget } from './patch-path.js';
export { parseProjection, projectResource, type ProjectOptions } from './project.js';
export { createScimRegistry } from './registry.js';
export * from './schemas.js';
export { MAX_ELEMENTS } from './check.js';
export { MAX_STRING_BYTES } from './values.js';
