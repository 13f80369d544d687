/** Configuration: load and validate roster.yaml, and `roster init`. */
export { formatProblem, loadConfig, resolveStoreUrl, validateConfigText, type ConfigProblem, type LoadOptions, type ValidateOptions } from './load.js';
export { initProject } from './init.js';
export { parseDuration, parseThreshold } from './durations.js';
export type * from './types.js';
