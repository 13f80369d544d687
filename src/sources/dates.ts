/**
 * Date checks for source fields. HR feeds give dates as ISO `YYYY-MM-DD` or
 * as ISO date-times; anything else (`27/11/2026`, `2026-02-30`) is a problem
 * the source reports, never a date the lifecycle guesses at.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$/;

/** True for a real calendar date `YYYY-MM-DD` or an ISO-8601 date-time (`T` separator). */
export function isIsoDate(value: string): boolean {
  const match = DATE.exec(value) ?? DATE_TIME.exec(value);
  if (!match) return false;
  return isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= last;
}
