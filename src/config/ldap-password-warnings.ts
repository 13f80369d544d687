import type { ConfigProblem, ProblemLocator } from './problems.js';
import type { ConfigInput } from './schema.js';

/** A nested key of a target's raw `connection:` (it is validated by the connector's own schema, crosscheck.ts). */
function field(connection: Readonly<Record<string, unknown>>, block: string, key: string): unknown {
  const inner = connection[block];
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>)[key] : undefined;
}

/**
 * Warnings for `ldap` targets whose password settings contradict each other:
 * `users.passwordOnEnable: keep` (an enable writes no password, the account
 * keeps the one it has) with `disable.password: remove` (the disable took
 * it): there is nothing left to keep, so a rehire, like any account enabled
 * again, comes back with no password and cannot bind until one is set. A
 * warning, not an error: a deployment may mean exactly that (the helpdesk
 * sets every returning password by hand), and the file stays valid.
 */
export function ldapPasswordWarnings(config: ConfigInput, locator: ProblemLocator): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  config.targets.forEach((target, i) => {
    if (target.type !== 'ldap') return;
    if (field(target.connection, 'users', 'passwordOnEnable') !== 'keep' || field(target.connection, 'disable', 'password') !== 'remove') return;
    warnings.push(locator.at(['targets', i, 'connection', 'users', 'passwordOnEnable'],
      'keep has nothing to keep with disable.password: remove (the disable removes userPassword): a rehired or returning account comes back '
      + 'enabled without a password and cannot bind until one is set. Use passwordOnEnable: rehire (the default) to write the mapped '
      + 'password on a rehire (return: on every enable), or disable.password: keep'));
  });
  return warnings;
}
