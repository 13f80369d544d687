export { mergeBatch, type MergeInput, type MergeResult } from './merge.js';
export { effectiveState, deriveState, classifyStatus, isLive, type StatusClass } from './state.js';
export { parseSourceDate, type DateEdge } from './dates.js';
export { thresholdLimit, describeThreshold, formatCount, formatShare } from './threshold.js';
export { isContractor } from './record.js';
