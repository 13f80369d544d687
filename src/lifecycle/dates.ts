import { RosterError } from '../core/errors.js';

/**
 * Dates in HR data. A value with a zone (`2026-03-01T09:00:00Z`,
 * `…+02:00`) is taken as is. A value without one is local time in the
 * lifecycle time zone:
 * - `2026-03-01T09:00` is 09:00 that day;
 * - a date-only START (`2026-03-01`) is midnight at the beginning of that day;
 * - a date-only END (`2026-06-30`) is the END of that day, i.e. midnight at
 *   the beginning of the next day: the person works their last day and loses
 *   access when it is over. `endAt` is therefore an exclusive instant: the
 *   identity is terminated when `endAt <= now`.
 */
export type DateEdge = 'start' | 'end';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// Up to nine fraction digits, as sources/dates.ts accepts (Python's isoformat() writes six); milliseconds are kept.
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Parsed values by time zone, then edge, then text: a lookup builds no key string. */
const caches = new Map<string, Record<DateEdge, Map<string, number>>>();
/** Entries per (time zone, edge) before that map starts over. */
const CACHE_LIMIT = 50_000;

function formatter(timezone: string): Intl.DateTimeFormat {
  let found = formatters.get(timezone);
  if (!found) {
    try {
      found = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone, hourCycle: 'h23',
        year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch (error) {
      throw new RosterError('config.invalid', `unknown time zone "${timezone}"`, { cause: error });
    }
    formatters.set(timezone, found);
  }
  return found;
}

/** Offset of `timezone` from UTC at the instant `utcMs`, in milliseconds. */
function offsetMs(utcMs: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = utc(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, 0);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** Date.UTC, except that years 0-99 are those years (Date.UTC reads them as 1900-1999). */
function utc(year: number, monthIndex: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  if (year >= 100) return Date.UTC(year, monthIndex, day, hour, minute, second, ms);
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** The UTC instant of a wall-clock time in `timezone` (month is 1-based; overflowing days roll over). */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, timezone: string): number {
  const wall = utc(year, month - 1, day, hour, minute, second, ms);
  if (timezone === 'UTC' || timezone === 'Etc/UTC') return wall;
  const first = offsetMs(wall, timezone);
  const guess = wall - first;
  const second_ = offsetMs(guess, timezone);
  if (second_ === first) return guess;
  const retry = wall - second_;
  if (offsetMs(retry, timezone) === second_) return retry;
  // A wall time the clocks skipped (daylight saving starts): the instant they jumped, read with the
  // offset from before the jump (the smaller one), e.g. a day whose midnight is skipped begins at 01:00.
  return wall - Math.min(first, second_);
}

function validDay(year: number, month: number, day: number): boolean {
  const date = new Date(utc(year, month - 1, day, 0, 0, 0, 0));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function parseUncached(text: string, timezone: string, edge: DateEdge): number {
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    if (!validDay(y, m, d)) return Number.NaN;
    return zonedTime(y, m, edge === 'end' ? d + 1 : d, 0, 0, 0, 0, timezone);
  }
  const local = LOCAL_DATE_TIME.exec(text);
  if (local) {
    const n = local.slice(1, 7).map((v) => (v === undefined ? 0 : Number(v)));
    const [y = 0, m = 1, d = 1, h = 0, mi = 0, s = 0] = n;
    const ms = local[7] === undefined ? 0 : Number(local[7].slice(0, 3).padEnd(3, '0'));
    if (!validDay(y, m, d) || h > 23 || mi > 59 || s > 59) return Number.NaN;
    return zonedTime(y, m, d, h, mi, s, ms, timezone);
  }
  if (WITH_ZONE.test(text)) return Date.parse(text.replace(' ', 'T'));
  return Number.NaN;
}

/**
 * Parse a start or end date from a source record. Empty values (undefined,
 * null, '') give undefined; anything unreadable throws
 * RosterError('source.malformed').
 */
export function parseSourceDate(value: unknown, timezone: string, edge: DateEdge): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.getTime();
  const text = String(value).trim();
  if (text === '') return undefined;
  let zone = caches.get(timezone);
  if (zone === undefined) {
    zone = { start: new Map(), end: new Map() };
    caches.set(timezone, zone);
  }
  const cache = zone[edge];
  let parsed = cache.get(text);
  if (parsed === undefined) {
    parsed = parseUncached(text, timezone, edge);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, parsed);
  }
  if (Number.isNaN(parsed)) {
    throw new RosterError('source.malformed', `"${text}" is not a date (use YYYY-MM-DD or an ISO date-time)`);
  }
  return parsed;
}
