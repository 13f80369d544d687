import { filetimeToIso } from '../../connectors/ad/filetime.js';

/** An entry as read: its DN and attribute values by lower-cased attribute name. */
export interface DirectoryEntry {
  readonly dn: string;
  readonly values: ReadonlyMap<string, readonly string[]>;
}

/** The first value of an attribute (names compare case-insensitively), or '' when it has none. */
export function firstValue(entry: DirectoryEntry, attribute: string): string {
  if (attribute.toLowerCase() === 'dn') return entry.dn;
  return (entry.values.get(attribute.toLowerCase())?.[0] ?? '').trim();
}

const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,6}))?(Z|[+-]\d{4})$/;

/** LDAP GeneralizedTime (`20261127093000Z`, `20261127093000.5+0100`) -> ISO date-time, or undefined. */
export function generalizedTimeToIso(value: string): string | undefined {
  const m = GENERALIZED_TIME.exec(value);
  if (!m) return undefined;
  const zone = m[8] === 'Z' ? 'Z' : `${m[8]!.slice(0, 3)}:${m[8]!.slice(3)}`;
  const fraction = m[7] === undefined ? '' : `.${m[7].padEnd(3, '0').slice(0, 3)}`;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5] ?? '00'}:${m[6] ?? '00'}${fraction}${zone}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/**
 * A directory value for a date field, as an ISO date the lifecycle reads:
 * GeneralizedTime and Windows FILETIME (AD accountExpires; 0 and the
 * maximum mean never, so '') are converted; anything else is kept for the
 * date check to judge.
 */
export function dateValue(value: string): string {
  if (value === '') return '';
  const generalized = generalizedTimeToIso(value);
  if (generalized !== undefined) return generalized;
  if (/^\d{15,19}$/.test(value) || value === '0') return filetimeToIso(value) ?? '';
  return value;
}

/** userAccountControl bit 2 (ACCOUNTDISABLE). */
export function isDisabledAccount(entry: DirectoryEntry): boolean {
  const raw = firstValue(entry, 'userAccountControl');
  return /^\d+$/.test(raw) && (Number(raw) & 2) === 2;
}
