export { plan, type PlanInput } from './plan.js';
export { comparable, sameValue, entitlementKey } from './normalise.js';
export { safetyHolds } from './safety.js';
