import type { TargetConfig } from '../config/types.js';
import type { Hold } from '../core/types.js';

/** The hold of a reconcile pass refused because the store has no identity yet. */
export const NO_IDENTITIES = 'reconcile.no_identities';

/**
 * A pass over a store that has no identity at all (nothing has read the
 * sources yet: reconcile does not read them) can match nobody: every account
 * it reads would look like an orphan, and remembering the pass would let the
 * next plan, which reads the sources, create a second account for every
 * person the target already has. Such a pass is refused when it read any
 * account: nothing is linked, removed or remembered, no orphan action is
 * planned, and the target's creates stay held. `--force` does not lift it.
 * With no account read there is nothing to match, and the pass is the same
 * with or without identities (an empty new directory: see shortFirstRead).
 */
export function noIdentitiesHold(target: TargetConfig, read: number): Hold {
  return {
    target: target.id, code: NO_IDENTITIES, count: read, limit: 0,
    message: `${target.id}: no identities yet: read ${read} ${read === 1 ? 'account' : 'accounts'}, but the store has none to match them to `
      + `(reconcile does not read the HR sources); nothing was linked or remembered, no orphan action is planned, and creates in ${target.id} stay held. `
      + 'Run `roster plan` or `roster sync` first, which reads the HR sources, then reconcile',
  };
}
