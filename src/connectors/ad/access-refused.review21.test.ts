import { InsufficientAccessError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { needing } from './access-refused.js';

describe('review21: a right that names where it is needed is not sent "there" again', () => {
  it('a refused move names both objects and reads as one sentence', async () => {
    const user = 'CN=Ada,OU=Sales,DC=example,DC=test';
    const needed = { dn: user, action: 'move it to CN=Ada,OU=Finance,DC=example,DC=test', right: `"Delete" on ${user} (or "Delete User objects" on its OU) and "Create User objects" on OU=Finance,DC=example,DC=test` };
    const error = await needing('corp-ad', 'update', needed, () => Promise.reject(new InsufficientAccessError('00002098: SecErr'))).catch((e: unknown) => e as Error);
    expect(error.message).toContain(`delegate "Delete" on ${user} (or "Delete User objects" on its OU) and "Create User objects" on OU=Finance,DC=example,DC=test to it (LDAP 50:`);
    expect(error.message).not.toContain('there to it');
  });
});
