import { InsufficientAccessError, NoSuchObjectError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { RosterError } from '../../core/errors.js';
import { needing } from './access-refused.js';

const WINDOWS = '00002098: SecErr: DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0';
const needed = { dn: 'CN=Ada,OU=People,DC=example,DC=test', action: 'write department', right: '"Write department" (Write property)' };

describe('review20: a write refused for lack of rights names the object and the right', () => {
  it('Windows AD\'s text names neither: the error does, is target.rejected and is not retried', async () => {
    const thrown = await needing('corp-ad', 'update', needed, () => Promise.reject(new InsufficientAccessError(WINDOWS))).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(RosterError);
    const error = thrown as RosterError;
    expect(error.message).toBe(`update on corp-ad: the bind account may not write department on ${needed.dn}: delegate "Write department" (Write property) there to it (LDAP 50: ${WINDOWS} Code: 0x32)`);
    expect(error).toMatchObject({ code: 'target.rejected', retryable: false, targetWide: false, details: { resultCode: 50, dn: needed.dn, right: needed.right } });
  });

  it('any other failure passes through as it was, and a success is returned', async () => {
    const other = new NoSuchObjectError('0000208D: NameErr');
    await expect(needing('corp-ad', 'update', needed, () => Promise.reject(other))).rejects.toBe(other);
    await expect(needing('corp-ad', 'update', needed, () => Promise.resolve(7))).resolves.toBe(7);
  });
});
