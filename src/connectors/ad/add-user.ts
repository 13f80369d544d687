import { Attribute } from 'ldapts';
import { RosterError } from '../../core/errors.js';
import type { Attributes } from '../../core/types.js';
import type { AccountSpec, Logger } from '../types.js';
import { parentDn } from '../directory/dn.js';
import { isNoSuchObject, resultCodeOf, ResultCode } from '../directory/errors.js';
import type { AttributeMapping } from '../directory/mapping.js';
import { toLdapValues } from '../directory/normalise.js';
import { ensureParentOUs } from '../directory/parents.js';
import type { ClientPool } from '../directory/pool.js';
import { accessRefused } from './access-refused.js';
import { isNameTaken, isPasswordRefused, missingParentError } from './ad-errors.js';
import type { AccountNames } from './account-names.js';
import type { AdConnectionConfig } from './config.js';
import type { AdEntry, AdEntryReader } from './entries.js';
import { withoutInitialPassword } from './initial-password.js';
import { nameTakenError } from './name-taken.js';
import { initialPassword, type PasswordPolicy, unicodePwd } from './password.js';
import { NORMAL_ACCOUNT, withEnabled } from './uac.js';

export interface AddUserOptions {
  readonly pool: ClientPool;
  readonly reader: AdEntryReader;
  readonly config: AdConnectionConfig;
  readonly mapping: AttributeMapping;
  readonly names: AccountNames;
  readonly passwordPolicy: PasswordPolicy;
  readonly log: Logger;
  readonly targetId: string;
  /** Roster attributes -> AD values (accountExpires as a FILETIME). */
  readonly ldapValues: (attributes: Attributes) => Map<string, string[]>;
  /** An LDAP error in a person's words (the connector's, with AD's diagnostics explained). */
  readonly explain: (error: unknown, operation: string) => RosterError;
}

/**
 * Add the user with its initial password, enabled or not, in one add:
 * AD checks the password against the domain policy inside that add, so an
 * enabled account never exists without one (a refused password creates
 * nothing). Undefined when it already existed (made meanwhile with the same
 * key: the caller brings it in line).
 */
export async function addUser(o: AddUserOptions, spec: AccountSpec, key: string, sam: string | undefined): Promise<AdEntry | undefined> {
  const { pool, reader, config, mapping, names, log, targetId } = o;
  const dn = mapping.renderDn(config.users.dn, spec.attributes, undefined, 'create');
  const body = new Map<string, string[]>([['objectClass', ['top', 'person', 'organizationalPerson', 'user']]]);
  for (const [attribute, values] of o.ldapValues(spec.attributes)) if (values.length > 0) body.set(attribute, values);
  // Without one, AD makes up a sAMAccountName ($XXXXXX-XXXXXXXXXXXX).
  if (sam !== undefined) body.set('sAMAccountName', [sam]);
  const upn = names.upn(spec.attributes, sam);
  if (upn !== undefined) body.set('userPrincipalName', [upn]);
  body.set('userAccountControl', [String(withEnabled(NORMAL_ACCOUNT, spec.enabled))]);
  const avoid = [key, ...(sam === undefined ? [] : [sam]), ...toLdapValues(spec.attributes.displayName)];
  const fixed = [...body].map(([type, values]) => new Attribute({ type, values }));
  let length = await o.passwordPolicy.length(false);
  let policyReread = false;
  let parentsMade = false;
  // Each retry (parent OUs made, the password policy read again) goes through the same handling as the first add.
  for (;;) {
    const password = initialPassword(length, avoid);
    const attributes = [...fixed, new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] }), new Attribute({ type: 'pwdLastSet', values: ['0'] })];
    try {
      await pool.use((c) => c.add(dn, attributes));
      break;
    } catch (thrown) {
      const error = withoutInitialPassword(thrown, password);
      // Made meanwhile with the same key: the caller brings it in line. Another account holding the DN or sAMAccountName: refused.
      if (resultCodeOf(error) === ResultCode.entryAlreadyExists && await reader.byAttribute(mapping.keyLdap, key) !== undefined) return undefined;
      if (isNameTaken(String(error))) {
        throw await nameTakenError({
          pool, targetId, base: config.base, names, explained: o.explain(error, 'create'),
          error, attributes: spec.attributes, wanted: o.ldapValues(spec.attributes), sam, upn,
        });
      }
      if (!policyReread && isPasswordRefused(String(error))) {
        // The domain's policy may have been raised since it was read, or a PSO asks for more: try once more.
        policyReread = true;
        const again = await o.passwordPolicy.afterRefusal(length);
        log.debug('initial password refused, password policy read again', { target: targetId, length: again });
        length = again;
        continue;
      }
      if (!parentsMade && isNoSuchObject(error)) {
        if (!config.users.createOUs) throw missingParentError(targetId, 'create', dn, error);
        parentsMade = true;
        await ensureParentOUs(pool, dn, config.base);
        continue;
      }
      throw accessRefused(error, targetId, 'create', { dn: parentDn(dn), action: `create ${dn}`, right: '"Create User objects"' });
    }
  }
  const entry = await reader.byDn(dn);
  if (entry === undefined) throw new RosterError('target.rejected', `create on ${targetId}: ${key} was not stored`);
  return entry;
}
