import { RosterError } from '../../core/errors.js';
import { entryValues } from './normalise.js';
import type { ClientPool } from './pool.js';

/** Attributes whose value names one person (the HR employee number), lower-cased: the proof an entry is someone's. */
const OWNER_ATTRIBUTES: ReadonlySet<string> = new Set(['employeeid', 'employeenumber']);

/** The owner values the new entry is written with: LDAP name → value (the first, trimmed). */
export function ownerValues(wanted: ReadonlyMap<string, readonly string[]>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [name, values] of wanted) {
    const value = values[0]?.trim();
    if (OWNER_ATTRIBUTES.has(name.toLowerCase()) && value !== undefined && value !== '') owners.set(name, value);
  }
  return owners;
}

/**
 * A create found an entry that already holds the account key. It is adopted
 * (a retried create finding the entry it made before a crash) only when it
 * provably belongs to the person being created: every owner attribute the
 * new entry is written with (employeeID, employeeNumber) already holds the
 * same value. Anyone else's entry (a departed user's, kept disabled, with
 * its groups) is refused with 'target.conflict', not retryable: handing it
 * to a joiner would give the joiner that person's access. Without an owner
 * attribute in the mapping nothing can tell, and the entry is adopted: map
 * one. One base read, on this path only.
 */
export async function assertOwned(pool: ClientPool, input: {
  readonly targetId: string;
  readonly dn: string;
  readonly key: { readonly attribute: string; readonly value: string };
  readonly wanted: ReadonlyMap<string, readonly string[]>;
}): Promise<void> {
  const owners = ownerValues(input.wanted);
  if (owners.size === 0) return;
  const held = await ownerValuesAt(pool, input.dn, owners);
  for (const [name, value] of owners) {
    const actual = held.get(name.toLowerCase())?.[0]?.trim();
    if (actual === value) continue;
    throw new RosterError('target.conflict',
      `create on ${input.targetId}: ${input.key.attribute} ${input.key.value} is held by an account not linked to this person ` +
      `(${input.dn}, whose ${name} ${actual === undefined ? 'is not set' : 'is another person\'s'}); ` +
      `run roster reconcile --target ${input.targetId} to link it or report it as an orphan`,
      { details: { dn: input.dn, attribute: name } });
  }
}

/**
 * Whose are the entries holding a name a new account wanted (found outside
 * where Roster looks)? Values are compared trimmed and case-insensitively
 * (HR's E1234 is a holder's e1234). 'same': a holder matches this person on
 * an owner attribute and differs on none: it is probably this person's
 * account, and choosing another name would give them a second one. 'other':
 * every holder carries every owner attribute the new entry is written with,
 * each with another person's value, so the name is simply taken and another
 * may be chosen. 'unknown' otherwise (no owner attribute in the mapping, a
 * holder lacking one, or matching on one and differing on another): never
 * grounds for another name. One base read per holder, on this failure path only.
 */
export async function holdersOwnership(pool: ClientPool, holders: readonly string[], wanted: ReadonlyMap<string, readonly string[]>): Promise<'other' | 'same' | 'unknown'> {
  const owners = ownerValues(wanted);
  if (owners.size === 0 || holders.length === 0) return 'unknown';
  let unknown = false;
  for (const dn of holders) {
    const verdict = holderOwnership(await ownerValuesAt(pool, dn, owners), owners);
    if (verdict === 'same') return 'same';
    if (verdict === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : 'other';
}

/** The owner attributes an entry holds (lower-cased names): one base read. */
async function ownerValuesAt(pool: ClientPool, dn: string, owners: ReadonlyMap<string, string>): Promise<Map<string, string[]>> {
  const { searchEntries } = await pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [...owners.keys()] }));
  return entryValues(searchEntries[0] ?? {});
}

/** One holder's values (lower-cased names) against the owner values: see holdersOwnership. */
function holderOwnership(held: ReadonlyMap<string, readonly string[]>, owners: ReadonlyMap<string, string>): 'other' | 'same' | 'unknown' {
  let matching = 0;
  let differing = 0;
  let missing = 0;
  for (const [name, value] of owners) {
    const wanted = value.toLowerCase();
    const values = (held.get(name.toLowerCase()) ?? []).map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
    if (values.length === 0) missing++;
    else if (values.every((v) => v === wanted)) matching++;
    else if (values.every((v) => v !== wanted)) differing++;
    else return 'unknown';
  }
  if (matching > 0) return differing > 0 ? 'unknown' : 'same';
  return missing > 0 ? 'unknown' : 'other';
}
