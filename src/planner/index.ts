export { plan, type LinkLookup, type PlanInput } from './plan.js';
export { comparable, sameValue, entitlementKey, summaryOf } from './normalise.js';
export { safetyHolds } from './safety.js';
export { LinkIndex } from './link-index.js';
export { QueuedChanges, ALREADY_QUEUED, withoutLeftOut, withoutQueued, type WaitingChange } from './queued.js';
export { WITHDRAWN, withdrawnFor } from './withdrawn.js';
