/**
 * Windows FILETIME (100-ns intervals since 1601-01-01 UTC) for accountExpires.
 * 0 and 9223372036854775807 both mean "never".
 */
import { zonedTime } from '../../lifecycle/dates.js';

const EPOCH_OFFSET_MS = 11_644_473_600_000n;
export const NEVER = '0';
const NEVER_MAX = '9223372036854775807';
const DAY_MS = 86_400_000;
/** YYYY-MM-DD, optionally followed by T (or a space) and hh:mm[:ss[.fraction]] with an optional Z or ±hh:mm. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * An ISO 8601 date or date-time -> FILETIME string. A date alone
 * ("2026-12-31", an HR end date) means the account works through that day:
 * it expires at the start of the next day in `timezone` (default UTC), as
 * ADUC's "End of" does in local time and as the lifecycle reads an end date.
 * A date-time without an offset is wall-clock time there too (never the
 * host's time zone, so every host writes the same instant). Anything else (a day that does not exist such as
 * 2030-02-30, a US-style 06/30/2030, "June 30, 2030") is refused rather than
 * read as some other day.
 */
export function isoToFiletime(iso: string, timezone = 'UTC'): string {
  const refused = () => new Error(`not an ISO date: ${JSON.stringify(iso)} (write YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss with an optional Z or ±hh:mm)`);
  const match = ISO.exec(iso.trim());
  if (match === null) throw refused();
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const year = Number(y); const month = Number(mo); const day = Number(d);
  const hour = Number(h ?? 0); const minute = Number(mi ?? 0); const second = Number(s ?? 0);
  const ms = Number(((fraction ?? '') + '000').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw refused();
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2030-02-30 over to 2030-03-02: a day that does not exist is refused.
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) throw refused();
  let at = h === undefined ? utc + DAY_MS : utc;
  if (offset === undefined && timezone !== 'UTC') {
    at = h === undefined ? zonedTime(year, month, day + 1, 0, 0, 0, 0, timezone) : zonedTime(year, month, day, hour, minute, second, ms, timezone);
  }
  if (offset !== undefined && offset.toUpperCase() !== 'Z') {
    const [, sign, oh, om] = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset) ?? [];
    const minutes = Number(oh) * 60 + Number(om ?? 0);
    if (Number(oh) > 23 || Number(om ?? 0) > 59) throw refused();
    at -= (sign === '-' ? -1 : 1) * minutes * 60_000;
  }
  return ((BigInt(at) + EPOCH_OFFSET_MS) * 10_000n).toString();
}

/**
 * FILETIME string -> ISO, or undefined for "never". An expiry at midnight
 * (UTC, or in `timezone`) is shown as the date before it, so a date written
 * by isoToFiletime with the same time zone reads back unchanged.
 */
export function filetimeToIso(filetime: string, timezone = 'UTC'): string | undefined {
  if (filetime === NEVER || filetime === NEVER_MAX || !/^\d+$/.test(filetime)) return undefined;
  const ms = Number(BigInt(filetime) / 10_000n - EPOCH_OFFSET_MS);
  if (timezone === 'UTC') {
    if (ms % DAY_MS === 0) return new Date(ms - DAY_MS).toISOString().slice(0, 10);
    return new Date(ms).toISOString();
  }
  // Local midnight: the instant the next local day begins, for the day before it.
  const day = localDay(ms - 1, timezone);
  if (day !== undefined && zonedTime(day.year, day.month, day.day + 1, 0, 0, 0, 0, timezone) === ms) {
    return `${String(day.year).padStart(4, '0')}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
  }
  return new Date(ms).toISOString();
}

/** The calendar day an instant falls on in a time zone. */
function localDay(ms: number, timezone: string): { year: number; month: number; day: number } | undefined {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(new Date(ms));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const found = { year: part('year'), month: part('month'), day: part('day') };
  return Number.isInteger(found.year) && Number.isInteger(found.month) && Number.isInteger(found.day) ? found : undefined;
}

/** A Roster accountExpires value -> what to store (absent, null or empty: never); a date alone ends in `timezone`. */
export function accountExpiresValue(value: unknown, timezone = 'UTC'): string {
  if (value === null || value === undefined || value === '') return NEVER;
  if (value instanceof Date) return isoToFiletime(value.toISOString());
  return isoToFiletime(String(value), timezone);
}

/** Whether a time zone name is one this runtime knows (an IANA name such as Europe/Paris, or UTC). */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
