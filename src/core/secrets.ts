import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { RosterError } from './errors.js';

/**
 * Secret attributes: values a mapping writes that must not be kept in
 * clear anywhere Roster stores or shows them (an initial password, a
 * shared token). A target names them (`secrets: [password]`); then
 *
 * - the desired value, the link and the audit log hold a fingerprint,
 *   `secret:v1:<HMAC-SHA256 of the value, keyed>`: the same value always
 *   gives the same fingerprint, so a plan sees whether the secret changed
 *   without holding it, and nobody without the key can test guesses;
 * - the change that writes it carries the value sealed (AES-256-GCM) in
 *   `after.sealed`, which only the executor opens, just before it hands the
 *   value to the connector.
 *
 * The key is 32 random bytes kept in the store (state `secrets:key`), like
 * the SCIM cursor key: whoever can read the whole store can read it, but
 * a plan printed or exported, an audit export, a log line or a link read
 * through the API holds no secret.
 */
export const SECRET_KEY_STATE = 'secrets:key';
const FINGERPRINT_PREFIX = 'secret:v1:';
const SEALED_PREFIX = 'v1.';
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Whether a value is a secret's fingerprint (what plans, links and the audit log show instead of it). */
export function isSecretFingerprint(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(FINGERPRINT_PREFIX);
}

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RosterError('internal', 'a secrets key is 32 bytes');
    this.#key = key;
  }

  /** The fingerprint of `value` as the secret `attribute` of `target` (the same value elsewhere gives another). */
  fingerprint(target: string, attribute: string, value: string): string {
    const mac = createHmac('sha256', this.#key).update(`${target}\u0000${attribute}\u0000${value}`).digest('base64url');
    return `${FINGERPRINT_PREFIX}${mac}`;
  }

  /** `value` encrypted and authenticated: `v1.<base64url of iv | ciphertext | tag>`. */
  seal(value: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** What `seal` sealed; a value sealed with another key, or altered, is refused. */
  unseal(sealed: string): string {
    const bytes = sealed.startsWith(SEALED_PREFIX) ? Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url') : Buffer.alloc(0);
    if (bytes.length < IV_BYTES + TAG_BYTES) throw unsealable();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw unsealable();
    }
  }
}

function unsealable(): RosterError {
  return new RosterError('target.rejected',
    'a secret value in this change cannot be opened (the store\'s secrets key changed since the plan was made): make a new plan');
}

/** The store's secrets key, drawn by the first process that needs it (state `secrets:key`); one that is malformed is replaced. */
export async function sharedSecretBox(state: {
  setIfAbsent<T>(key: string, value: T): Promise<T>;
  set(key: string, value: unknown): Promise<void>;
}): Promise<SecretBox> {
  const fresh = () => randomBytes(32).toString('base64url');
  let text = await state.setIfAbsent(SECRET_KEY_STATE, fresh());
  if (typeof text !== 'string' || !KEY_TEXT.test(text)) {
    await state.set(SECRET_KEY_STATE, undefined);
    text = await state.setIfAbsent(SECRET_KEY_STATE, fresh());
  }
  return new SecretBox(Buffer.from(text, 'base64url'));
}
