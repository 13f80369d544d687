export { Executor, type ExecutorOptions, type JobOutcome, type RunOptions } from './executor.js';
export { backoffDelay, redactMessage } from './backoff.js';
export { applyChange, type ApplyContext } from './apply-change.js';
export { quarantineKey, type QuarantineRecord } from './quarantine.js';
export { jobIdOf } from './plan-jobs.js';
