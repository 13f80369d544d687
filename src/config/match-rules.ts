import type { z } from 'zod';

/**
 * The account attributes a connector returns, where the target's own
 * `connection:` says so: an ldap target reads its `users.attributes` and
 * `users.key`, a sql target its `users.columns` and key column. Undefined
 * when the config alone does not tell (ad adds defaults of its own, memory and
 * scim return what the account holds) or the block is malformed (the
 * connector's schema reports that).
 */
export function readableAttributes(type: string, connection: Readonly<Record<string, unknown>>, written: readonly string[] = []): ReadonlySet<string> | undefined {
  const users = connection.users;
  if (typeof users !== 'object' || users === null) return undefined;
  const { key, attributes, columns } = users as Record<string, unknown>;
  if (typeof key !== 'string') return undefined;
  if (type === 'ldap') {
    // It also reads back every attribute the target's mappings write (AttributeMapping).
    return isRecord(attributes ?? {}) ? new Set([...Object.keys(attributes ?? {}), key, ...written]) : undefined;
  }
  if (type === 'sql') {
    if (!isRecord(columns)) return undefined;
    // The key column is read under the attribute mapped to it, or under its own name when none is.
    const keyMapped = Object.values(columns).includes(key);
    return new Set([...Object.keys(columns), ...(keyMapped ? [] : [key])]);
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A match rule naming an attribute the connector never returns matches
 * nothing, and every account it should link becomes an orphan (to disable or
 * delete, if so configured): refused at load where the config tells.
 */
export function checkMatchRules(
  target: {
    readonly type: string; readonly connection: Readonly<Record<string, unknown>>; readonly attributes: Readonly<Record<string, unknown>>;
    readonly reconcile: { readonly match: readonly { readonly account: string }[] };
  },
  ctx: z.RefinementCtx,
): void {
  const readable = readableAttributes(target.type, target.connection, Object.keys(target.attributes));
  if (readable === undefined) return;
  target.reconcile.match.forEach((rule, i) => {
    if (readable.has(rule.account)) return;
    const where = target.type === 'ldap' ? 'connection.users.attributes' : 'connection.users.columns';
    ctx.addIssue({
      code: 'custom', path: ['reconcile', 'match', i, 'account'],
      message: `the ${target.type} connector does not read ${rule.account} for this target (it reads: ${[...readable].sort().join(', ')}); map it in ${where}${target.type === 'ldap' ? ' or write it in attributes' : ''}, or match on one of those`,
    });
  });
}
