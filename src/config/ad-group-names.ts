import type { z } from 'zod';
import { adGroupName, adGroupNameProblem } from '../connectors/ad/group-name.js';
import type { ConfigProblem, ProblemLocator } from './problems.js';
import type { ConfigInput } from './schema.js';

/**
 * A role granting an `ad` target a group whose name AD could never hold (a cn
 * over 64 characters, connectors/ad/group-name.ts): no such group can exist
 * and groups.create could not make it, so every grant would fail at apply.
 * Refused here, at the grant's line, naming the role and the group. Only for
 * an ad target with groups (connection.groups): without them every grant is
 * refused for that.
 */
export function adGroupNameProblems(config: ConfigInput, locator: ProblemLocator, connectionSchemas: Readonly<Record<string, z.ZodType>>): ConfigProblem[] {
  const schema = connectionSchemas['ad'];
  if (schema === undefined) return [];
  const names = new Map<string, boolean>();
  for (const target of config.targets) {
    if (target.type !== 'ad') continue;
    const parsed = schema.safeParse(target.connection);
    const groups = parsed.success ? (parsed.data as { groups?: { names?: boolean } }).groups : undefined;
    if (groups !== undefined) names.set(target.id, groups.names === true);
  }
  const problems: ConfigProblem[] = [];
  config.roles.forEach((role, i) => {
    for (const [targetId, grants] of Object.entries(role.grants)) {
      const named = names.get(targetId);
      if (named === undefined) continue;
      grants.forEach((entitlement, j) => {
        const cn = adGroupName(entitlement, named);
        const problem = cn === undefined ? undefined : adGroupNameProblem(cn);
        if (problem === undefined) return;
        problems.push(locator.at(['roles', i, 'grants', targetId, j],
          `role '${role.id}' grants ad target '${targetId}' the group ${JSON.stringify(cn)}, whose name ${problem}: no such group can exist there; shorten the name`));
      });
    }
  });
  return problems;
}
