import { Attribute, Change } from 'ldapts';
import type { Attributes } from '../../core/types.js';
import { ldapPrimaryName, type AttributeMapping } from '../directory/mapping.js';
import { resultCodeOf, ResultCode } from '../directory/errors.js';
import { toLdapValues, type AttributeChange } from '../directory/normalise.js';
import type { ClientPool } from '../directory/pool.js';
import type { Logger } from '../types.js';
import type { LdapDisableConfig } from './config.js';
import type { LdapEntry } from './entries.js';
import { isEntryEnabled } from './new-entry.js';
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
 *   at the old DN right before the move. Stopped in between, the entry is
 *   where it was, enabled-looking without its password: every later plan (a
 *   retry, or the next plan, even after a `roster reconcile` refreshed the
 *   link) still disables it. The other order left an entry disabled with its
 *   password, which a reconcile then recorded as disabled, so no plan ever
 *   removed the password: the leaver bound through the whole grace wherever
 *   the server lets users bind there. A disable that finds the entry in the
 *   disabled OU already (moved there by hand) removes it too: disabledRemainder.
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

/** Remove the password of the entry at `dn` (a disable by move, before the move), and say so without any value. */
export async function removePassword(pool: ClientPool, dn: string, log: Logger, fields: Record<string, unknown>): Promise<void> {
  await pool.use((c) => c.modify(dn, [passwordRemoval()]));
  log.info('account disabled with its password removed (disable.password: remove)', { ...fields, dn });
}

/**
 * What a disable asked of an entry found disabled already still has to do:
 * with `move` and `remove`, the password of an entry someone else moved into
 * the disabled OU. (The marker strategies are not touched: a password modify
 * on a locked entry makes slapd's ppolicy delete the lock.) Entries disabled
 * before the option was set are not swept: only a disable that reaches the
 * connector removes.
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

/**
 * An update of a disabled entry whose password the disable took
 * (disable.password: remove) writes no password: a mapped one that changed
 * while the person is away (on leave, a leaver in the grace) would otherwise
 * give the disabled entry a live login again. What an enable writes back is
 * decided by users.passwordOnEnable (enable.ts) from the link, which records
 * the new fingerprint all the same. The mapped password is still written to
 * a disabled entry that holds one (a future hire's, made disabled: the
 * create keeps it for the first day) or that Roster made without one
 * (`previous` holds null: the value came late). Only an entry's having a
 * password is asked (a presence filter), never its value.
 */
export async function withheldPassword(
  on: { readonly pool: ClientPool; readonly mapping: AttributeMapping; readonly disable: LdapDisableConfig | undefined; readonly log: Logger; readonly targetId: string },
  entry: LdapEntry, attributes: Attributes, previous: Attributes | undefined,
): Promise<Attributes> {
  if (!removesPassword(on.disable) || isEntryEnabled(entry, on.disable)) return attributes;
  const names = Object.keys(attributes).filter((name) => name !== 'dn' && toLdapValues(attributes[name]).length > 0
    && ldapPrimaryName(on.mapping.ldapName(name)) === 'userpassword' && previous?.[name] !== null);
  if (names.length === 0) return attributes;
  const { searchEntries } = await on.pool.use((c) => c.search(entry.dn, { scope: 'base', filter: '(userPassword=*)', attributes: ['1.1'] }));
  if (searchEntries.length > 0) return attributes;
  on.log.info('update of a disabled account: its password is not written (disable.password: remove; an enable writes it)', { target: on.targetId, dn: entry.dn, attributes: names });
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !names.includes(name)));
}

/**
 * The modify of an update (`changes`: each attribute's values replaced). An
 * entry below the disabled OU (`move`) whose server refuses the bind account
 * that modify with insufficientAccessRights while it carries `userPassword`
 * (the ACL docs/directories.md gives for `move` shuts userPassword there to
 * everyone but the rootDN) gets the other attributes, and its password
 * stays as it is, as with `password: remove` (withheldPassword): a rehire's
 * enable writes the mapped one (users.passwordOnEnable, enable-move.ts); an
 * enable that sets none (a joiner's first day, a return by default) leaves the
 * entry with the one it had. Otherwise a rehire whose mapped password changed
 * while away (it depends on the location HR changed) failed at its update,
 * before its enable ever ran, plan after plan. Logged without any value; the
 * link records the new fingerprint all the same.
 */
export async function modifyUpdated(pool: ClientPool, dn: string, changes: readonly AttributeChange[], disabledByMove: boolean, log: Logger, fields: Record<string, unknown>): Promise<void> {
  const modify = (of: readonly AttributeChange[]) => pool.use((c) => c.modify(dn, of.map((change) => new Change({
    operation: 'replace', modification: new Attribute({ type: change.attribute, values: [...change.values] }),
  }))));
  try {
    await modify(changes);
  } catch (error) {
    const others = changes.filter((change) => ldapPrimaryName(change.attribute) !== 'userpassword');
    if (!disabledByMove || others.length === changes.length || resultCodeOf(error) !== ResultCode.insufficientAccessRights) throw error;
    log.warn('update of a disabled account: the directory refused writing its password below the disabled OU to the bind account; the other attributes are written and its password stays as it is (a rehire\'s enable writes the mapped one)', { ...fields, dn });
    if (others.length > 0) await modify(others);
  }
}
