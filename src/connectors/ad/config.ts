import { z } from 'zod';
import { attributeName, connectionFields, dnString } from '../directory/config.js';
import { booleanField, numberField } from '../../config/values.js';
import { isTimeZone } from './filetime.js';

/** The `connection:` block of a `type: ad` target (Active Directory, or Samba as an AD DC). */
export const adConnectionSchema = z.object({
  ...connectionFields,
  /** Every search and write happens below this OU (a search from the domain root returns referrals). */
  base: dnString,
  users: z.object({
    /** Where a new account goes, e.g. CN={sAMAccountName},OU=People,DC=corp,DC=example ({name}: a Roster attribute, escaped). */
    dn: z.string().min(1),
    /** The Roster attribute holding the sAMAccountName (the natural key). */
    key: z.string().min(1).default('sAMAccountName'),
    /** Roster attribute -> AD attribute (default: email -> mail); others keep their names (displayName, department, title, manager, employeeID, givenName, sn, ...). */
    attributes: z.record(z.string(), attributeName).default({}),
    /** When the spec has no userPrincipalName: <sAMAccountName>@<upnSuffix>. */
    upnSuffix: z.string().min(1).optional(),
    createOUs: booleanField().default(false),
    /**
     * The time zone an accountExpires given as a date alone (an HR end date) or a date-time without an offset is
     * read in: the account works through the end date there. Default: the lifecycle's (lifecycle.timezone).
     */
    timezone: z.string().min(1).refine(isTimeZone, { message: 'unknown time zone (write an IANA name such as Europe/Paris, or UTC)' }).optional(),
    /**
     * When an enable also sets a new random initial password (must change at next logon), in the same modify:
     * `rehire` (default) for a rehire's account, never enabled with the former employment's password;
     * `return` for a rehire and any other account in use that comes back (the end of a leave, back in scope,
     * a termination undone); `keep` never (the account comes back with the password it had). A joiner's first
     * enable keeps the password its create set.
     */
    passwordOnEnable: z.enum(['rehire', 'return', 'keep']).default('rehire'),
    /**
     * A user found below base elsewhere than users.dn places it (moved by hand to another OU, for a GPO or a
     * delegation): `keep` (default) leaves it there; `enforce` has reconcile record it and the next plan move it
     * back (AdConnector.placement, reason placement.drift).
     */
    placement: z.enum(['keep', 'enforce'], {
      error: 'placement must be "keep" (a user moved by hand stays where it is) or "enforce" (the next plan moves it back where users.dn places it)',
    }).default('keep'),
  }).strict(),
  groups: z.object({
    base: dnString,
    /** Entitlements that are not DNs are group names (CN) under `base`. */
    names: booleanField().default(false),
    create: booleanField().default(false),
  }).strict().optional(),
  passwords: z.object({
    /** Length of the random initial password (at least 16); the domain's minPwdLength raises it when longer (at most 128). */
    length: numberField(z.number().int().min(16).max(128)).default(24),
  }).strict().optional(),
}).strict().refine((c) => c.url.startsWith('ldaps://') || c.startTLS, {
  message: 'Active Directory sets passwords only over an encrypted connection: use ldaps:// or startTLS: true',
  path: ['url'],
});

export type AdConnectionConfig = z.infer<typeof adConnectionSchema>;
