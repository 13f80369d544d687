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

/**
 * The distinct non-empty values (trimmed) of the key attribute: one for an
 * entry that names its person, none or several for one that cannot be
 * correlated (which of two values is the person is not known, and the
 * directory does not keep values in any order).
 */
export function keyValues(entry: DirectoryEntry, attribute: string): string[] {
  if (attribute.toLowerCase() === 'dn') return [entry.dn];
  const raw = entry.values.get(attribute.toLowerCase()) ?? [];
  if (raw.length <= 1) {
    // The usual case, once per entry several times a pass: no arrays beyond the answer.
    const value = (raw[0] ?? '').trim();
    return value === '' ? [] : [value];
  }
  return [...new Set(raw.map((value) => value.trim()).filter((value) => value !== ''))];
}

/**
 * RFC 4517 3.3.13: century year month day hour [minute [second]] [fraction]
 * zone. The fraction belongs to the last unit given (after the hour it is a
 * fraction of an hour, after the minute of a minute); the zone is Z, +hh or
 * +hhmm; the second may be the leap second 60.
 */
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(?:(\d{2})(\d{2})?)?(?:[.,](\d+))?(?:(Z)|([+-])(\d{2})(\d{2})?)$/;

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * LDAP GeneralizedTime (`20261127093000Z`, `20261127093000.5+0100`,
 * `2026112709.5Z`, `20261127093000+01`) -> ISO date-time, or undefined when
 * it is not one, including a date or time that does not exist (30 February,
 * hour 24, minute 60: Date.parse would roll those over). A leap second (60)
 * is read as 59.999 of that minute, so it stays in its own minute and day.
 * Fractions are exact to the millisecond (further digits are cut off).
 */
export function generalizedTimeToIso(value: string): string | undefined {
  const m = GENERALIZED_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  const minute = m[5] === undefined ? undefined : Number(m[5]);
  const second = m[6] === undefined ? undefined : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23) return undefined;
  if ((minute ?? 0) > 59 || (second ?? 0) > 60) return undefined;
  const zoneHours = m[10] === undefined ? 0 : Number(m[10]);
  const zoneMinutes = m[11] === undefined ? 0 : Number(m[11]);
  if (zoneHours > 23 || zoneMinutes > 59) return undefined;
  const leap = second === 60;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute ?? 0, leap ? 59 : second ?? 0, leap ? 999 : 0);
  let ms = date.getTime();
  if (m[7] !== undefined && !leap) {
    const unit = minute === undefined ? HOUR_MS : second === undefined ? MINUTE_MS : 1000;
    // Exact: digits * unit / 10^digits, truncated to a millisecond.
    ms += Number((BigInt(m[7]) * BigInt(unit)) / 10n ** BigInt(m[7].length));
  }
  if (m[9] !== undefined) ms -= (m[9] === '-' ? -1 : 1) * (zoneHours * HOUR_MS + zoneMinutes * MINUTE_MS);
  const result = new Date(ms);
  return Number.isNaN(result.getTime()) || result.getUTCFullYear() > 9999 || result.getUTCFullYear() < 0 ? undefined : result.toISOString();
}

/**
 * A directory value for a date field, as an ISO date the lifecycle reads:
 * GeneralizedTime and Windows FILETIME (AD accountExpires; 0 and the
 * maximum mean never, so '') are converted; anything else, a GeneralizedTime
 * of a day or time that does not exist too, is kept for the date check to
 * judge (a problem). A FILETIME at midnight in `timezone` (the lifecycle's,
 * which reads a date alone as ending at the next midnight there) becomes the
 * date before it, as the AD target wrote it; any other FILETIME the exact
 * instant (read as a date, midnight UTC in Tokyo would end 9 hours early).
 */
export function dateValue(value: string, timezone = 'UTC'): string {
  if (value === '') return '';
  const generalized = generalizedTimeToIso(value);
  if (generalized !== undefined) return generalized;
  if (/^\d{15,19}$/.test(value) || value === '0') return filetimeToIso(value, timezone) ?? '';
  return value;
}

/** userAccountControl bit 2 (ACCOUNTDISABLE). */
export function isDisabledAccount(entry: DirectoryEntry): boolean {
  const raw = firstValue(entry, 'userAccountControl');
  return /^\d+$/.test(raw) && (Number(raw) & 2) === 2;
}
