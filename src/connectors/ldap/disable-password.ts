import { Attribute, Change } from 'ldapts';
import type { ClientPool } from '../directory/pool.js';
import type { Logger } from '../types.js';
import type { LdapDisableConfig } from './config.js';
import { markerChange, modifyWithSecrets, type EnablePasswords } from './enable.js';

/**
 * `connection.disable.password: remove`. A leaver's entry is only disabled
 * during the delete grace; with `move`, `strip-groups`, or `attribute`
 * without a password policy that applies to the entry, it still answers a
 * simple bind with its password. `remove` takes `userPassword` (and nothing
 * else) away with the disable:
 *
 * - `attribute`, `strip-groups`: in the same modify that sets the marker, so
 *   the entry is never disabled with its password, nor enabled without it;
 * - `move`: a modify DN cannot change attributes, so the password is removed
 *   at the new DN right after the move. Stopped in between, the entry is
 *   disabled (moved) with its password, as without the option, never
 *   enabled-looking without it; the retried disable finds it disabled and
 *   removes the password then (disabledRemainder).
 *
 * The removal is a replace with no values, which a directory ignores when the
 * entry holds none (a delete of an absent attribute fails the whole modify
 * with noSuchAttribute): a retried disable, and an enable after it, never
 * trip on an entry without a password. What an enable writes back is decided
 * by users.passwordOnEnable alone (enable.ts). No value is read or logged.
 */
export function removesPassword(disable: LdapDisableConfig | undefined): boolean {
  return disable?.password === 'remove';
}

/** The change that takes every `userPassword` value away (a no-op on an entry holding none). */
export function passwordRemoval(): Change {
  return new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [] }) });
}

/** Remove the password of the entry at `dn` (a disable by move, after the move), and say so without any value. */
export async function removePassword(pool: ClientPool, dn: string, log: Logger, fields: Record<string, unknown>): Promise<void> {
  await pool.use((c) => c.modify(dn, [passwordRemoval()]));
  log.info('account disabled with its password removed (disable.password: remove)', { ...fields, dn });
}

/**
 * What a disable asked of an entry found disabled already still has to do:
 * with `move` and `remove`, the removal a disable stopped after its move did
 * not make (the marker strategies remove it in the modify that disabled the
 * entry, so they have nothing left). Entries disabled before the option was
 * set are not swept: only a disable that reaches the connector removes.
 */
export async function disabledRemainder(disable: LdapDisableConfig, remove: boolean, pool: ClientPool, dn: string, log: Logger, fields: Record<string, unknown>): Promise<void> {
  if (remove && disable.strategy === 'move') await removePassword(pool, dn, log, fields);
}

/**
 * A disable or enable by marker (`attribute`, `strip-groups`) in one modify:
 * the marker set or removed, with an enable's passwords (enable.ts), or with
 * a disable's password removal (`dropPassword`).
 */
export async function writeMarker(pool: ClientPool, dn: string, write: {
  readonly disable: { readonly attribute: string; readonly value: string }; readonly enabled: boolean;
  readonly passwords: EnablePasswords | undefined; readonly dropPassword: boolean;
}, log: Logger, fields: Record<string, unknown>): Promise<void> {
  const { disable, enabled, passwords, dropPassword } = write;
  const changes = [markerChange(disable, enabled, passwords), ...passwords?.changes ?? [], ...(dropPassword ? [passwordRemoval()] : [])];
  await modifyWithSecrets(pool, dn, changes, passwords?.clear ?? []);
  if (dropPassword) log.info('account disabled with its password removed (disable.password: remove)', fields);
}
