/** Reason code of a desired account whose create is held by an open dispute (plan diagnostics and `roster explain`). */
export const DISPUTED_REASON = 'reconcile.disputed';
