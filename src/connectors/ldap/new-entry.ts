import { ldapPrimaryName, type AttributeMapping } from '../directory/mapping.js';
import { formatDn, isUnder, parseDn, sameDn, type Rdn } from '../directory/dn.js';
import { RosterError } from '../../core/errors.js';
import type { LdapEntry } from './entries.js';
import type { AccountSpec } from '../types.js';
import type { LdapConnectionConfig, LdapDisableConfig } from './config.js';

type Users = LdapConnectionConfig['users'];
type Posix = NonNullable<Users['posix']>;

/** The attributes of a new account entry: object classes, mapped values, defaults, and the disabled marker. */
export function newEntryBody(spec: AccountSpec, users: Users, disable: LdapDisableConfig | undefined, mapping: AttributeMapping): Record<string, string[]> {
  const body: Record<string, string[]> = { objectClass: [...users.objectClasses] };
  for (const [attribute, values] of mapping.toLdap(spec.attributes)) if (values.length > 0) body[attribute] = values;
  for (const [attribute, template] of Object.entries(users.defaults)) {
    // Compared as the server names them: a default `sn` is the mapped `surname` (both would be one attribute given twice).
    if (Object.keys(body).some((name) => mapping.sameAttribute(name, attribute))) continue;
    const value = mapping.renderText(template, spec.attributes);
    if (value !== undefined) body[attribute] = [value];
  }
  if (!spec.enabled && disable !== undefined && disable.strategy !== 'move') body[disable.attribute] = [disable.value];
  return body;
}

/**
 * A new entry's body made a posixAccount with its allocated uidNumber: the
 * object class added, and the posix attributes the body does not hold
 * already. A homeDirectory, loginShell, gidNumber or uid the mapping or
 * users.defaults give stays (names compared as the server does: `userid`
 * is `uid`); the uidNumber is always the allocated one.
 */
export function withPosix(body: Readonly<Record<string, string[]>>, posix: Posix, users: Users, spec: AccountSpec, key: string, uidNumber: number, mapping: AttributeMapping): Record<string, string[]> {
  const held = new Set(Object.keys(body).map(ldapPrimaryName));
  const out: Record<string, string[]> = { ...body };
  for (const [name, values] of Object.entries(posixAttributes(posix, users, spec, key, uidNumber, mapping, held.has('uid')))) {
    if (name === 'objectClass') out.objectClass = [...new Set([...(body.objectClass ?? []), ...values])];
    else if (name === 'uidNumber' || !held.has(ldapPrimaryName(name))) out[name] = values;
  }
  return out;
}

/** posixAccount attributes for a new entry with its allocated uidNumber. */
export function posixAttributes(posix: Posix, users: Users, spec: AccountSpec, key: string, uidNumber: number, mapping: AttributeMapping, hasUid: boolean): Record<string, string[]> {
  return {
    objectClass: [...users.objectClasses, 'posixAccount'],
    uidNumber: [String(uidNumber)],
    gidNumber: [String(posix.gidNumber)],
    homeDirectory: [homeDirectory(posix.homeDirectory, spec.attributes, key, uidNumber, mapping)],
    ...(posix.loginShell === undefined ? {} : { loginShell: [posix.loginShell] }),
    ...(hasUid ? {} : { uid: [key] }),
  };
}

/**
 * A new posixAccount's homeDirectory from the template (`/home/{uid}`).
 * homeDirectory is IA5 (ASCII), and every value from HR lands in a path: a
 * non-ASCII name (`/home/Zoë`) would fail the add, and a uid of `..` or
 * `alice/.ssh` would put the home at `/` or inside another person's. When a
 * value the template takes is not ASCII, holds a `/`, or is `.` or `..`, the
 * home is the template's fixed directory with the uidNumber as the last part
 * (`/home/43001`): unique, where a transliteration would give Zoë and Zoe one.
 */
export function homeDirectory(template: string, attributes: AccountSpec['attributes'], key: string, uidNumber: number, mapping: AttributeMapping): string {
  const values = { ...attributes, uid: attributes.uid ?? key };
  const names = [...template.matchAll(/\{([A-Za-z0-9_.-]+)\}/g)].map((m) => m[1] ?? '');
  const unsafe = names.some((name) => {
    const value = mapping.placeholder(name, values, undefined) ?? '';
    return !ASCII.test(value) || value.includes('/') || value === '.' || value === '..';
  });
  const home = unsafe ? undefined : mapping.renderText(template, values);
  if (home !== undefined && ASCII.test(home)) return home;
  const fixed = template.slice(0, template.indexOf('{') < 0 ? template.length : template.indexOf('{'));
  const parent = fixed.slice(0, fixed.lastIndexOf('/') + 1);
  return parent.startsWith('/') && ASCII.test(parent) ? `${parent}${uidNumber}` : `/home/${uidNumber}`;
}

const ASCII = /^[\x00-\x7f]*$/;

/** The same RDN below another parent (the disabled OU). */
export function inOu(dn: string, ou: string): string {
  return formatDn([...parseDn(dn).slice(0, 1), ...parseDn(ou)]);
}

/**
 * The DN with the account key added to its RDN (`cn=John Smith+uid=jsmith,ou=disabled,…`):
 * where a disabled entry goes when another entry holds its plain DN in the disabled OU
 * (two leavers named John Smith from different departments). Undefined when the RDN
 * already has the key attribute: it is unique then, and there is nothing to add.
 */
export function withKey(dn: string, key: { readonly attribute: string; readonly value: string }): string | undefined {
  const [rdn = [], ...parent] = parseDn(dn);
  if (hasType(rdn, key.attribute)) return undefined;
  return formatDn([[...rdn, { type: key.attribute, value: key.value }], ...parent]);
}

/** A move from `dn` to `newDn` takes the key attribute out of the RDN (modify DN would delete the key's value). */
export function leavesKeyedRdn(dn: string, newDn: string, keyAttribute: string): boolean {
  return hasType(parseDn(dn)[0] ?? [], keyAttribute) && !hasType(parseDn(newDn)[0] ?? [], keyAttribute);
}

function hasType(rdn: Rdn, type: string): boolean {
  return rdn.some((ava) => ava.type.toLowerCase() === type.toLowerCase());
}

/** Enabled as the disable strategy reads it: outside the disabled OU, or without the marker value. */
export function isEntryEnabled(entry: LdapEntry, disable: LdapDisableConfig | undefined): boolean {
  if (disable === undefined) return true;
  if (disable.strategy === 'move') return !isUnder(entry.dn, disable.ou);
  const values = entry.values.get(disable.attribute.toLowerCase()) ?? [];
  return !values.some((value) => value.toLowerCase() === disable.value.toLowerCase());
}

/**
 * True when the DN template names the entry by the account key alone (`uid={uid},ou=people,…`):
 * then an entry with that key made by Roster sits at exactly that DN, so a create can try
 * the add first and look the key up only when the add finds the DN taken (entryAlreadyExists).
 */
export function keyDeterminesDn(template: string, key: string): boolean {
  const names = [...template.matchAll(/\{([A-Za-z0-9_.-]+)\}/g)].map((m) => m[1]);
  if (names.length !== 1 || names[0] !== key) return false;
  const rdn = template.split(/(?<!\\),/)[0] ?? '';
  return rdn.includes(`{${key}}`);
}

/**
 * An explicit `dn` attribute, normalised: only below users.base (or the
 * disabled OU), where reads look; an entry put anywhere else could never be
 * read back, so every plan would create it again.
 */
export function explicitDn(explicit: string, where: {
  readonly users: Pick<Users, 'base'>; readonly disable: LdapDisableConfig | undefined; readonly operation: string; readonly targetId: string;
}): string {
  const { users, disable, operation, targetId } = where;
  let dn: string;
  try {
    dn = formatDn(parseDn(explicit));
  } catch {
    throw new RosterError('target.rejected', `${operation} on ${targetId}: dn ${JSON.stringify(explicit)} is not a valid DN`);
  }
  const [rdn] = parseDn(dn);
  const below = (base: string): boolean => isUnder(dn, base) && !sameDn(dn, base);
  if (rdn === undefined || !(below(users.base) || (disable?.strategy === 'move' && below(disable.ou)))) {
    throw new RosterError('target.rejected',
      `${operation} on ${targetId}: dn ${dn} is outside users.base ${users.base}` +
      `${disable?.strategy === 'move' ? ` and the disabled OU ${disable.ou}` : ''}: Roster reads accounts only there, so it could not find this one again`,
      { details: { dn, base: users.base } });
  }
  return dn;
}
