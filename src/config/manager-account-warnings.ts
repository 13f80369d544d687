import { managerAccountReads } from '../policy/manager-account-reads.js';
import type { ConfigProblem, ProblemLocator } from './problems.js';
import type { ConfigInput } from './schema.js';

/**
 * Warnings for a target attribute that reads `managerAccount.attributes.X`
 * where the target maps no attribute X. The manager's account as Roster
 * records it (its link) holds the attributes the target maps; X is there only
 * when reconcile linked an account it read with X, never for one Roster made.
 * So the expression fails for most reports (`expression.failed`, `No such
 * key`), or behind has() gives nothing, plan after plan. The usual case is an
 * `ldap` target reading `managerAccount.attributes.dn` while `users.dn`, not a
 * `dn` attribute, places its entries. A warning, not an error: a deployment
 * that only adopts existing accounts may mean it.
 */
export function managerAccountWarnings(config: ConfigInput, locator: ProblemLocator): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  config.targets.forEach((target, i) => {
    for (const [name, expression] of Object.entries(target.attributes)) {
      const reads = managerAccountReads([expression]).attributes;
      if (reads === 'all') continue;
      for (const read of reads) {
        if (Object.hasOwn(target.attributes, read)) continue;
        const hint = read === 'dn' ? ` (where users.dn places the entries, spell the DN from the values the template takes: docs/directories.md, "A report's manager")` : '';
        warnings.push(locator.at(['targets', i, 'attributes', name],
          `reads managerAccount.attributes.${read}, but target ${target.id} maps no attribute ${read}: the manager's account as Roster records it `
          + `holds only the attributes this target maps (${read} only when reconcile adopted an account read with it), so this fails with `
          + `expression.failed or, behind has(), gives nothing${hint}`));
      }
    }
  });
  return warnings;
}
