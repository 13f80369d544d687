import { describe, expect, it } from 'vitest';
import { mayLackPassword, withEnabled } from './uac.js';

describe('review13: userAccountControl and accounts without a password', () => {
  it('an account with PASSWD_NOTREQD and no password set since (pwdLastSet 0 or absent) may lack one; any other may not', () => {
    expect(mayLackPassword(0x222, '0')).toBe(true);
    expect(mayLackPassword(0x222, undefined)).toBe(true);
    expect(mayLackPassword(0x222, '133878528000000000')).toBe(false);
    expect(mayLackPassword(0x202, '0')).toBe(false);
  });

  it('enabling keeps every flag an admin set (DONT_EXPIRE_PASSWORD, SMARTCARD_REQUIRED, PASSWD_NOTREQD)', () => {
    expect(withEnabled(0x202 | 0x10000 | 0x40000, true)).toBe(0x200 | 0x10000 | 0x40000);
    expect(withEnabled(0x200 | 0x10000 | 0x40000, false)).toBe(0x202 | 0x10000 | 0x40000);
    expect(withEnabled(0x222, true)).toBe(0x220);
  });
});
