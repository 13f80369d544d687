export { readDirectorySource, type DirectoryRead, type PassMode } from './read.js';
export { entriesToBatch, keysByDn, unresolvedManagers, type ManagerKeys } from './mapping.js';
export { parseSyncCursor, syncChanges, type SyncChanges, type SyncCursor } from './sync.js';
export { incrementalFilter, nextCursor, parseCursor, withoutBoundary, type DirectoryCursor } from './cursor.js';
export { DEFAULT_DISABLED_STATUS, DEFAULT_FILTERS, DEFAULT_FULL_EVERY, isDirectorySource, mappingRules, type MappingRules } from './settings.js';
export { dateValue, generalizedTimeToIso, type DirectoryEntry } from './values.js';
