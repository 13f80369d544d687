import { RosterError } from '../../core/errors.js';
import type { Attributes } from '../../core/types.js';
import { isUnder } from '../directory/dn.js';
import { entryValues, toLdapValues } from '../directory/normalise.js';
import { holdersOwnership } from '../directory/ownership.js';
import type { ClientPool } from '../directory/pool.js';
import type { AccountNames } from './account-names.js';
import { domainHolders } from './domain.js';

/**
 * AD refused the add because the sAMAccountName or UPN is taken. Both are
 * unique in the whole domain, but Roster only looks below its base, so
 * the holder is searched for in the whole domain (on this path only) and
 * named: an operator can then rename or remove it. Not retryable.
 * `details.taken` says which Roster attribute's value is taken (a UPN made
 * from the sAMAccountName counts as the sAMAccountName's), so the executor
 * can remember it and the next plan picks another name.
 */
export async function nameTakenError(input: {
  readonly pool: ClientPool;
  readonly targetId: string;
  readonly base: string;
  readonly names: AccountNames;
  /** The refusal in plain words (toDirectoryError). */
  readonly explained: RosterError;
  readonly error: unknown;
  readonly attributes: Attributes;
  /** The AD values the new entry was written with. */
  readonly wanted: ReadonlyMap<string, readonly string[]>;
  readonly sam: string | undefined;
  readonly upn: string | undefined;
}): Promise<RosterError> {
  const { pool, names: accountNames, explained, attributes, sam, upn, base } = input;
  // The lookups only add words: if they fail, the plain explanation stands. One each, to know which name is taken.
  const [samHolders, upnHolders] = await Promise.all([
    domainHolders(pool, { sam, upn: undefined }).catch(() => []),
    domainHolders(pool, { sam: undefined, upn }).catch(() => []),
  ]);
  const holders = [...new Set([...samHolders, ...upnHolders])];
  if (holders.length === 0) return explained;
  // Only a name provably held by someone else is worth another: a holder with this person's employeeID is
  // probably their own account outside the base, and a new name would give them a second one.
  // A group or a computer is nobody's user account: the name is someone else's, whatever employeeID says.
  const accounts = await personHolders(pool, holders).catch(() => holders);
  const ownership = accounts.length === 0 ? 'other' : await holdersOwnership(pool, accounts, input.wanted).catch(() => 'unknown' as const);
  const taken: Array<{ attribute: string; value: string }> = [];
  const samAttribute = accountNames.samAttribute(attributes);
  const upnAttribute = accountNames.upnAttribute(attributes);
  const upnGiven = upnAttribute !== undefined && toLdapValues(attributes[upnAttribute])[0] !== undefined;
  if (ownership === 'other') {
    // A UPN made from the sAMAccountName is freed by another sAMAccountName.
    if (sam !== undefined && samAttribute !== undefined && (samHolders.length > 0 || (upnHolders.length > 0 && !upnGiven))) taken.push({ attribute: samAttribute, value: sam });
    if (upn !== undefined && upnGiven && upnHolders.length > 0) taken.push({ attribute: upnAttribute, value: upn });
  }
  const names = [...(sam === undefined ? [] : [`sAMAccountName ${sam}`]), ...(upn === undefined ? [] : [`userPrincipalName ${upn}`])].join(' or ');
  const named = holders.map((dn) => (accounts.includes(dn) ? dn : `${dn} (not a user account)`));
  const outside = holders.filter((dn) => !isUnder(dn, base));
  const where = outside.length > 0 ? `, outside ${base} where Roster does not look` : '';
  const advice = ownership === 'same'
    ? `; it carries this person's employee id, so it is probably their account: move it below ${base} (roster reconcile then links it) or widen connection.base`
    : ownership === 'other' ? ': the next plan gives the joiner the next free name' : ': rename or remove that account, or give the joiner another name';
  return new RosterError('target.conflict',
    `create on ${input.targetId}: the ${names} is already taken by ${named.join(' and ')}${where} (unique in the whole domain)${advice}`,
    { cause: input.error, details: { ...explained.details, holders, taken } });
}

/**
 * The holders that are user accounts (a person's, perhaps this joiner's); a group or a computer
 * (objectClass group or computer, AD's `name$` machine accounts) never is. One base read each.
 */
async function personHolders(pool: ClientPool, holders: readonly string[]): Promise<string[]> {
  const people: string[] = [];
  for (const dn of holders) {
    const { searchEntries } = await pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: ['objectClass'] }));
    const classes = (entryValues(searchEntries[0] ?? {}).get('objectclass') ?? []).map((c) => c.toLowerCase());
    if (classes.includes('user') && !classes.includes('computer')) people.push(dn);
  }
  return people;
}
