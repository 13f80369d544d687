import { describe, expect, it } from 'vitest';
import { adConnectionSchema } from './config.js';
import { accountExpiresValue, filetimeToIso, isoToFiletime } from './filetime.js';

const filetime = (utcMs: number): string => ((BigInt(utcMs) + 11_644_473_600_000n) * 10_000n).toString();

describe('review13: accountExpires in a time zone', () => {
  it('an end date ends at local midnight (DST and standard time), and reads back as the same date', () => {
    expect(isoToFiletime('2027-03-31', 'America/Los_Angeles')).toBe(filetime(Date.UTC(2027, 3, 1, 7)));
    expect(isoToFiletime('2027-12-31', 'America/Los_Angeles')).toBe(filetime(Date.UTC(2028, 0, 1, 8)));
    expect(isoToFiletime('2027-06-30', 'Asia/Tokyo')).toBe(filetime(Date.UTC(2027, 5, 30, 15)));
    for (const [date, zone] of [['2027-03-31', 'America/Los_Angeles'], ['2027-12-31', 'Europe/Paris'], ['2027-06-30', 'Asia/Kolkata'], ['2028-02-29', 'Pacific/Auckland']] as const) {
      expect(filetimeToIso(isoToFiletime(date, zone), zone)).toBe(date);
    }
  });

  it('a date-time without an offset is wall-clock time in the zone; one with an offset is that instant everywhere', () => {
    expect(isoToFiletime('2027-03-31T18:00:00', 'Europe/Paris')).toBe(filetime(Date.UTC(2027, 2, 31, 16)));
    expect(isoToFiletime('2027-03-31T18:00:00Z', 'Europe/Paris')).toBe(filetime(Date.UTC(2027, 2, 31, 18)));
    expect(isoToFiletime('2027-03-31T18:00:00+01:00', 'Asia/Tokyo')).toBe(filetime(Date.UTC(2027, 2, 31, 17)));
    expect(filetimeToIso(filetime(Date.UTC(2027, 2, 31, 16)), 'Europe/Paris')).toBe('2027-03-31T16:00:00.000Z');
  });

  it('UTC stays the default, and "never" is never in any zone', () => {
    expect(isoToFiletime('2027-03-31')).toBe(filetime(Date.UTC(2027, 3, 1)));
    expect(accountExpiresValue('', 'Asia/Tokyo')).toBe('0');
    expect(accountExpiresValue(null, 'Asia/Tokyo')).toBe('0');
    expect(filetimeToIso('9223372036854775807', 'Asia/Tokyo')).toBeUndefined();
  });

  it('the connection refuses an unknown time zone; unset, the connector takes the lifecycle\'s', () => {
    const base = { url: 'ldaps://dc', bindDN: 'CN=x,DC=a', password: 'p', base: 'OU=R,DC=a' };
    expect(adConnectionSchema.parse({ ...base, users: { dn: 'CN={sAMAccountName},OU=R,DC=a' } }).users.timezone).toBeUndefined();
    expect(adConnectionSchema.safeParse({ ...base, users: { dn: 'CN={sAMAccountName},OU=R,DC=a', timezone: 'Mars/Olympus' } }).success).toBe(false);
    expect(adConnectionSchema.parse({ ...base, users: { dn: 'CN={sAMAccountName},OU=R,DC=a', timezone: 'Europe/Paris' } }).users.timezone).toBe('Europe/Paris');
  });
});
