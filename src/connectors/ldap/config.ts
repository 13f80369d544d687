import { z } from 'zod';
import { attributeName, connectionFields, dnString } from '../directory/config.js';
import { booleanField, numberField } from '../../config/values.js';

/**
 * `password` (every strategy): `remove` takes `userPassword` away with the disable (disable-password.ts), so a
 * disabled entry cannot bind whatever the server's ACLs and password policy; `keep` (the default, as before) leaves it.
 */
const disablePassword = z.enum(['remove', 'keep'], {
  // The value given is not quoted: a password typed here by mistake must not reach a log.
  error: 'password must be "remove" (the disable also removes userPassword) or "keep" (userPassword stays)',
}).optional();

const disableSchema = z.discriminatedUnion('strategy', [
  /** Move the entry below `ou` (enable moves it back to its mapped DN). */
  z.object({ strategy: z.literal('move'), ou: dnString, password: disablePassword }).strict(),
  /** Set `attribute: value` (e.g. pwdAccountLockedTime: 000001010000Z); enable removes it. */
  z.object({ strategy: z.literal('attribute'), attribute: attributeName, value: z.string().min(1), password: disablePassword }).strict(),
  /** Remove every group membership and set a marker attribute; enable clears it, and the executor grants back what the link still lists. */
  z.object({ strategy: z.literal('strip-groups'), attribute: attributeName, value: z.string().min(1), password: disablePassword }).strict(),
]);

/**
 * A counter entry (posix-counter.ts): every uidNumber is taken from it by one atomic modify, so none is handed out
 * twice, even after the entry holding it was deleted. `attribute` holds the next number to hand out.
 */
const counterSchema = z.object({
  dn: dnString,
  attribute: attributeName.default('uidNumber'),
}).strict();

const posixSchema = z.object({
  /** uidNumber is allocated from this range: from the counter, or else above the highest one in use (see posix.ts). */
  uidNumber: z.object({ min: numberField(z.number().int().nonnegative()), max: numberField(z.number().int().positive()) }).strict()
    .refine((range) => range.min <= range.max, 'min must not be above max'),
  counter: counterSchema.optional(),
  gidNumber: numberField(z.number().int().nonnegative()),
  /** A template like /home/{uid}; placeholders are Roster attribute names. */
  homeDirectory: z.string().default('/home/{uid}'),
  loginShell: z.string().optional(),
}).strict();

/** The `connection:` block of a `type: ldap` target. */
export const ldapConnectionSchema = z.object({
  ...connectionFields,
  users: z.object({
    /** Accounts are searched below this DN (subtree). */
    base: dnString,
    /** Where a new account goes, e.g. uid={uid},ou=people,dc=example,dc=com ({name}: a Roster attribute, escaped). A `dn` attribute in the spec wins. */
    dn: z.string().min(1),
    /** The Roster attribute that is the natural key (its LDAP attribute must be unique). */
    key: z.string().min(1),
    objectClasses: z.array(attributeName).min(1).default(['inetOrgPerson']),
    /** Roster attribute -> LDAP attribute; an attribute not listed keeps its name. */
    attributes: z.record(z.string(), attributeName).default({}),
    /** LDAP attributes set on create when the spec gives none, as templates (e.g. cn: "{uid}", sn: "{uid}"). */
    defaults: z.record(attributeName, z.string()).default({}),
    /** Create missing organizationalUnit parents of a new or moved entry. */
    createOUs: booleanField().default(false),
    posix: posixSchema.optional(),
    /**
     * Which enables write the password again (enable.ts newPasswordOnEnable): `rehire` (default) a rehire's,
     * `return` also any other account in use coming back, `keep` none.
     */
    passwordOnEnable: z.enum(['rehire', 'return', 'keep']).default('rehire'),
    /**
     * An entry found below users.base elsewhere than the mapping places it (moved by hand to another OU):
     * `keep` (default) leaves it there, administrators often move accounts on purpose; `enforce` has reconcile
     * record it and the next plan move it back (placement.ts misplaced, reason placement.drift).
     */
    placement: z.enum(['keep', 'enforce'], {
      error: 'placement must be "keep" (an entry moved by hand stays where it is) or "enforce" (the next plan moves it back where the mapping places it)',
    }).default('keep'),
  }).strict(),
  groups: z.object({
    base: dnString,
    objectClass: z.enum(['groupOfNames', 'groupOfUniqueNames', 'posixGroup']).default('groupOfNames'),
    /** Entitlements that are not DNs are group names (cn) under `base`. */
    names: booleanField().default(false),
    create: booleanField().default(false),
    placeholder: z.string().optional(),
  }).strict().optional(),
  disable: disableSchema.optional(),
}).strict();

export type LdapConnectionConfig = z.infer<typeof ldapConnectionSchema>;
export type LdapDisableConfig = z.infer<typeof disableSchema>;
export type UidCounterConfig = z.infer<typeof counterSchema>;
