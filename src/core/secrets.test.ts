import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isSecretFingerprint, scrubSecrets, SecretBox, sealedFor, sharedSecretBox } from './secrets.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, for the place it was sealed for, and only that', () => {
    const here = sealedFor('app', 'E1', 'password');
    const sealed = box.seal('Zoë-Init-42!', here);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('Init');
    expect(box.unseal(sealed, here)).toBe('Zoë-Init-42!');
    // A fresh IV each time: the same value never seals to the same text.
    expect(box.seal('Zoë-Init-42!', here)).not.toBe(sealed);
    // The second-to-last character always carries six bits of the text; change it to another.
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(flipped).not.toBe(sealed);
    expect(() => box.unseal(flipped, here)).toThrow(/cannot be opened/);
    expect(() => new SecretBox(randomBytes(32)).unseal(sealed, here)).toThrow(/cannot be opened/);
    expect(() => box.unseal('not sealed', here)).toThrow(/cannot be opened/);
    // Moved to another identity, attribute or target: refused.
    expect(() => box.unseal(sealed, sealedFor('app', 'E2', 'password'))).toThrow(/cannot be opened/);
    expect(() => box.unseal(sealed, sealedFor('app', 'E1', 'description'))).toThrow(/cannot be opened/);
    expect(() => box.unseal(sealed, sealedFor('wiki', 'E1', 'password'))).toThrow(/cannot be opened/);
    // The error never quotes the value.
    expect(() => box.unseal(flipped, here)).not.toThrow(/Zoë/);
  });

  it('fingerprints a value the same way each time, and differently per target, attribute and key', () => {
    const print = box.fingerprint('app', 'password', 'x');
    expect(isSecretFingerprint(print)).toBe(true);
    expect(box.fingerprint('app', 'password', 'x')).toBe(print);
    expect(box.fingerprint('app', 'password', 'y')).not.toBe(print);
    expect(box.fingerprint('ldap', 'password', 'x')).not.toBe(print);
    expect(box.fingerprint('app', 'token', 'x')).not.toBe(print);
    expect(new SecretBox(randomBytes(32)).fingerprint('app', 'password', 'x')).not.toBe(print);
    expect(isSecretFingerprint('x')).toBe(false);
  });

  it('keeps one key in the store, replacing a malformed one', async () => {
    const values = new Map<string, unknown>([['secrets:key', 'too short']]);
    const state = {
      async setIfAbsent<T>(key: string, value: T): Promise<T> {
        if (!values.has(key)) values.set(key, value);
        return values.get(key) as T;
      },
      async set(key: string, value: unknown): Promise<void> {
        if (value === undefined) values.delete(key);
        else values.set(key, value);
      },
    };
    const first = await sharedSecretBox(state);
    const second = await sharedSecretBox(state);
    expect(String(values.get('secrets:key'))).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.unseal(first.seal('same key', 'x'), 'x')).toBe('same key');
  });
});

describe('scrubSecrets', () => {
  const clear = 'Zoë "Init", (42)*=+ ';
  const utf8 = Buffer.from(clear, 'utf8');
  const unicodePwd = Buffer.from(`"${clear}"`, 'utf16le');

  it.each([
    ['as it is', clear],
    ['JSON-escaped', JSON.stringify(clear).slice(1, -1)],
    ['percent-encoded', encodeURIComponent(clear)],
    ['base64', utf8.toString('base64')],
    ['base64url', utf8.toString('base64url')],
    ['base64 without padding', utf8.toString('base64').replace(/=+$/, '')],
    ['as AD unicodePwd in base64', unicodePwd.toString('base64')],
    ['LDAP filter-escaped', 'Zoë "Init", \\2842\\29\\2a=+ '],
    ['LDAP DN-escaped', 'Zoë \\"Init\\"\\, (42)*\\=\\+\\ '],
  ])('takes the value out of a message quoting it %s', (_, form) => {
    const message = `refused: value <${form}> is not valid`;
    expect(message).toContain(form);
    expect(scrubSecrets(message, [['password', clear]])).toBe('refused: value <[secret password]> is not valid');
  });

  it('goes into lists and plain objects, and leaves other text and values alone', () => {
    const scrubbed = scrubSecrets({ errors: [`bad ${clear}`, 'fine'], code: 22, nested: { why: utf8.toString('base64') } }, [['password', clear]]);
    expect(scrubbed).toEqual({ errors: ['bad [secret password]', 'fine'], code: 22, nested: { why: '[secret password]' } });
    expect(scrubSecrets('nothing to hide', [['password', clear], ['empty', '']])).toBe('nothing to hide');
  });
});
