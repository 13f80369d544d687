import { Attribute, Change } from 'ldapts';
import { isSecretFingerprint, withoutSecretsInMessage } from '../../core/secrets.js';
import type { Attributes } from '../../core/types.js';
import type { AttributeMapping } from '../directory/mapping.js';
import { ldapPrimaryName } from '../directory/mapping.js';
import type { ClientPool } from '../directory/pool.js';
import type { EnableResult, Logger } from '../types.js';

/** What an enable writes besides the enable itself: the secrets' replaces, and whether a password is set or taken away. */
export interface EnablePasswords {
  readonly changes: readonly Change[];
  /** A password value is written (EnableResult.newPassword). */
  readonly written: boolean;
  /** The mapping gives no password (or an empty one): `userPassword` is removed, so the former one cannot be used. */
  readonly removed: boolean;
  /** The clear values written, for scrubbing an error that quotes one. */
  readonly clear: ReadonlyArray<readonly [string, string]>;
}

/**
 * The modifications that give a re-enabled entry the password its mapping
 * gives now (`secrets`, opened by the executor: EnableOptions.secrets), in
 * the same modify as the enable: each mapped secret attribute replaced, and
 * `userPassword` removed when no secret maps to it (the mapping gives none,
 * or the executor passed none), so the entry never comes back with the
 * password of the former employment. A fingerprint is never written.
 */
export function enablePasswords(secrets: Attributes | undefined, mapping: AttributeMapping): EnablePasswords {
  const open: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(secrets ?? {})) if (!isSecretFingerprint(value)) open[name] = value;
  const changes: Change[] = [];
  const clear: Array<readonly [string, string]> = [];
  let written = false;
  let password = false;
  let passwordValue = false;
  for (const [attribute, values] of mapping.toLdap(open)) {
    changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: attribute, values }) }));
    for (const value of values) clear.push([attribute, value]);
    // Under any of its names (ldapPrimaryName knows its OID, 2.5.4.35): taken for another attribute, the
    // removal added below would undo, in the same modify, the password just written.
    if (ldapPrimaryName(attribute) === 'userpassword') {
      password = true;
      passwordValue = values.length > 0;
    }
    if (values.length > 0) written = true;
  }
  if (!password) changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [] }) }));
  return { changes, written, removed: !passwordValue, clear };
}

/**
 * The disabled marker's change of an enable or disable (strategies
 * `attribute`, `strip-groups`): set, or removed. Removed with passwords
 * written in the same modify, it is deleted (the disabled entry holds it)
 * rather than replaced with nothing: slapd's ppolicy overlay deletes
 * pwdAccountLockedTime itself when a modify changes userPassword unless the
 * modify deletes it, and its delete after ours would fail the whole modify
 * ("modify/delete: pwdAccountLockedTime: no such attribute").
 */
export function markerChange(disable: { readonly attribute: string; readonly value: string }, enabled: boolean, passwords: EnablePasswords | undefined): Change {
  if (enabled && passwords !== undefined) return new Change({ operation: 'delete', modification: new Attribute({ type: disable.attribute }) });
  return new Change({ operation: 'replace', modification: new Attribute({ type: disable.attribute, values: enabled ? [] : [disable.value] }) });
}

/** A modify carrying the secret values `clear`: what the directory throws comes back without them. */
export async function modifyWithSecrets(pool: ClientPool, dn: string, changes: readonly Change[], clear: EnablePasswords['clear']): Promise<void> {
  try {
    await pool.use((c) => c.modify(dn, [...changes]));
  } catch (error) {
    throw withoutSecretsInMessage(error, clear);
  }
}

/** What an enable that wrote `passwords` answers (newPassword when a value was written), logged without any value. */
export function passwordsResult(passwords: EnablePasswords | undefined, log: Logger, fields: Record<string, unknown>): EnableResult {
  if (passwords === undefined) return {};
  log.info(passwords.removed ? 'account enabled with its former password removed (the mapping gives none)' : 'account enabled with its mapped password written again', fields);
  return passwords.written ? { newPassword: true, secretsWritten: true } : {};
}

/**
 * An enable that finds the entry enabled already still writes what it sets (`passwords`; undefined: nothing):
 * the executor runs an enable again after one that stopped part way (enable-move.ts: moved back, its password
 * not written yet), and an entry enabled by other hands must not keep the former employment's password either.
 * The replace writes the same values again: a retry is harmless.
 */
export async function enabledPasswords(pool: ClientPool, dn: string, passwords: EnablePasswords | undefined, log: Logger, fields: Record<string, unknown>): Promise<EnableResult> {
  if (passwords === undefined) return {};
  await modifyWithSecrets(pool, dn, passwords.changes, passwords.clear);
  return passwordsResult(passwords, log, fields);
}
