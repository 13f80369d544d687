/**
 * Windows FILETIME (100-ns intervals since 1601-01-01 UTC) for accountExpires.
 * 0 and 9223372036854775807 both mean "never".
 */

const EPOCH_OFFSET_MS = 11_644_473_600_000n;
export const NEVER = '0';
const NEVER_MAX = '9223372036854775807';
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * An ISO date or date-time -> FILETIME string. A date alone ("2026-12-31",
 * an HR end date) means the account works through that day: it expires at the
 * start of the next day, UTC.
 */
export function isoToFiletime(iso: string): string {
  const dateOnly = DATE_ONLY.test(iso);
  const ms = Date.parse(dateOnly ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO date: ${JSON.stringify(iso)}`);
  const at = dateOnly ? ms + DAY_MS : ms;
  return ((BigInt(at) + EPOCH_OFFSET_MS) * 10_000n).toString();
}

/**
 * FILETIME string -> ISO, or undefined for "never". A midnight-UTC expiry is
 * shown as the date before it, so a date written by isoToFiletime reads back
 * unchanged.
 */
export function filetimeToIso(filetime: string): string | undefined {
  if (filetime === NEVER || filetime === NEVER_MAX || !/^\d+$/.test(filetime)) return undefined;
  const ms = Number(BigInt(filetime) / 10_000n - EPOCH_OFFSET_MS);
  if (ms % DAY_MS === 0) return new Date(ms - DAY_MS).toISOString().slice(0, 10);
  return new Date(ms).toISOString();
}

/** A Roster accountExpires value -> what to store (absent, null or empty: never). */
export function accountExpiresValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return NEVER;
  if (value instanceof Date) return isoToFiletime(value.toISOString());
  return isoToFiletime(String(value));
}
