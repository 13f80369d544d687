import type { WaitingChange } from '../planner/index.js';
import type { UniqueIndex } from '../policy/index.js';

/**
 * The values of unique([...]) mappings that earlier plans' waiting creates
 * and updates write, claimed for their identities before policy picks new
 * ones: a name such a change is about to give someone (a create left
 * queued by a quarantine or a killed run, whose person was renamed since) is
 * not free for another person's new account. Both would run, and the
 * connector's create adopts the account it finds holding the key: two
 * people linked to one account.
 */
export function claimQueued(unique: UniqueIndex, waiting: readonly WaitingChange[]): void {
  for (const { change } of waiting) {
    if (change.action !== 'create' && change.action !== 'update') continue;
    for (const [name, value] of Object.entries(change.after?.attributes ?? {})) {
      if (typeof value === 'string' && value !== '' && unique.isUnique(change.target, name)) unique.claim(change.target, name, value, change.identity);
    }
  }
}
