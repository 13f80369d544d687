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
  const { searchEntries } = await pool.use((c) => c.search(input.dn, { scope: 'base', filter: '(objectClass=*)', attributes: [...owners.keys()] }));
  const held = entryValues(searchEntries[0] ?? {});
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
 * where Roster looks)? 'other': every one carries an owner attribute the new
 * entry is written with, with another person's value, so the name is simply
 * taken and another may be chosen. 'same': one carries this person's value:
 * it is probably this person's account, and choosing another name would give
 * them a second one. 'unknown': no owner attribute to compare (in the mapping
 * or on a holder). One base read per holder, on this failure path only.
 */
export async function holdersOwnership(pool: ClientPool, holders: readonly string[], wanted: ReadonlyMap<string, readonly string[]>): Promise<'other' | 'same' | 'unknown'> {
  const owners = ownerValues(wanted);
  if (owners.size === 0 || holders.length === 0) return 'unknown';
  let unknown = false;
  for (const dn of holders) {
    const { searchEntries } = await pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [...owners.keys()] }));
    const held = entryValues(searchEntries[0] ?? {});
    const values = [...owners].map(([name]) => held.get(name.toLowerCase())?.[0]?.trim());
    if ([...owners.values()].some((value, i) => values[i] === value)) return 'same';
    if (values.every((value) => value === undefined || value === '')) unknown = true;
  }
  return unknown ? 'unknown' : 'other';
}
