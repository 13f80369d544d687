import type { TargetConfig } from '../config/types.js';
import type { Identity, LinkedAccount } from '../core/types.js';

/**
 * Reason code of an enable planned for an account that is enabled already,
 * to set new credentials: a rehire was recorded (Identity.rehiredAt) after
 * Roster last set the account's (LinkedAccount.credentialsSetAt), so they
 * are the former employment's. It happens when the termination and the
 * rehire are read in one pass after the new start (left on the 10th, back
 * from the 15th, the file read on the 20th; Roster down that week; a
 * termination entered late with the rehire): the account is never disabled,
 * so no enable of a rehire would come.
 */
export const REHIRE_CREDENTIALS = 'rehire.credentials';

/** A nested key of a target's raw `connection:` (validated by the connector's own schema). */
function field(connection: Readonly<Record<string, unknown>>, block: string, key: string): unknown {
  const inner = connection[block];
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>)[key] : undefined;
}

/**
 * The target writes a rehire's credentials with an enable: `ad` (a random
 * initial password), `ldap` with a disable strategy and a mapped secret
 * attribute (`secrets`: the mapped password, written again) — unless
 * `users.passwordOnEnable: keep` says a rehire keeps the password it has.
 * Other targets (sql, scim, memory, ldap without a mapped secret) hold no
 * credential Roster sets: nothing is reset there.
 */
export function writesRehireCredentials(target: TargetConfig): boolean {
  if (field(target.connection, 'users', 'passwordOnEnable') === 'keep') return false;
  if (target.type === 'ad') return true;
  return target.type === 'ldap' && (target.secrets?.length ?? 0) > 0 && typeof target.connection.disable === 'object' && target.connection.disable !== null;
}

/**
 * When the account's credentials were last set by Roster: the link's record,
 * else its creation (a link reconcile made: the account's credentials are
 * no younger than that).
 */
export function credentialsSetAt(link: LinkedAccount): string {
  return link.credentialsSetAt ?? link.createdAt;
}

/**
 * The enabled account's credentials predate the person's current employment:
 * a rehire was recorded after Roster last set them. A disabled account is
 * the enable's business (lifecycle-rules.ts newEmployment); no rehire
 * recorded (a plain active person, a return from leave, a termination taken
 * back, which drops the record) is never a reset.
 */
export function credentialsPredateEmployment(identity: Identity, link: LinkedAccount): boolean {
  if (identity.rehiredAt === undefined || !link.enabled) return false;
  return Date.parse(identity.rehiredAt) > Date.parse(credentialsSetAt(link));
}

/** The new employment's start, for the plan line and `explain`: the HR start, else when the rehire was recorded. */
export function newEmploymentSince(identity: Identity): string {
  return identity.startAt ?? identity.rehiredAt ?? identity.updatedAt;
}
