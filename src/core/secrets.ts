import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
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
  /** Two keys derived from the stored one (HKDF-SHA256): one for fingerprints, one for sealing; neither reveals the other. */
  readonly #macKey: Buffer;
  readonly #sealKey: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RosterError('internal', 'a secrets key is 32 bytes');
    this.#macKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'roster secrets: fingerprint v1', 32));
    this.#sealKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'roster secrets: seal v1', 32));
  }

  /** The fingerprint of `value` as the secret `attribute` of `target` (the same value elsewhere gives another). */
  fingerprint(target: string, attribute: string, value: string): string {
    const mac = createHmac('sha256', this.#macKey).update(`${target}\u0000${attribute}\u0000${value}`).digest('base64url');
    return `${FINGERPRINT_PREFIX}${mac}`;
  }

  /**
   * `value` encrypted and authenticated for one place, `context` (target,
   * identity and attribute: sealedFor): `v1.<base64url of iv | ciphertext |
   * tag>`. The context is authenticated, so a sealed value moved into
   * another change, attribute or target does not open.
   */
  seal(value: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** What `seal` sealed for `context`; a value sealed with another key or for another place, or altered, is refused. */
  unseal(sealed: string, context: string): string {
    const bytes = sealed.startsWith(SEALED_PREFIX) ? Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url') : Buffer.alloc(0);
    if (bytes.length < IV_BYTES + TAG_BYTES) throw unsealable();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw unsealable();
    }
  }
}

/** Where a sealed value belongs: the change's target and identity, and the attribute. */
export function sealedFor(target: string, identity: string, attribute: string): string {
  return `${target}\u0000${identity}\u0000${attribute}`;
}

function unsealable(): RosterError {
  return new RosterError('target.rejected',
    'a secret value in this change cannot be opened (the store\'s secrets key changed since the plan was made, or the value was moved from another change): make a new plan');
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

/**
 * A sealed value that is not a string (a number, a list) is marked so the
 * executor hands the connector the value as it was mapped, not its JSON text:
 * `json:v1.<…>` seals `JSON.stringify(value)`.
 */
const SEALED_JSON_PREFIX = 'json:';

/** A mapped secret value sealed for `context`: a string as itself, anything else as its JSON, marked so it opens as it was. */
export function sealValue(box: SecretBox, value: unknown, context: string): string {
  return typeof value === 'string' ? box.seal(value, context) : `${SEALED_JSON_PREFIX}${box.seal(JSON.stringify(value), context)}`;
}

/** What sealValue sealed: the value as mapped, and the text that was sealed (what an error could quote). */
export function openValue(sealed: string, context: string, unseal: (sealed: string, context: string) => string): { readonly value: unknown; readonly text: string } {
  const json = sealed.startsWith(SEALED_JSON_PREFIX);
  const text = unseal(json ? sealed.slice(SEALED_JSON_PREFIX.length) : sealed, context);
  return { value: json ? JSON.parse(text) as unknown : text, text };
}

/** A change state without its sealed secret values (ChangeState.sealed): what the audit log records. */
export function withoutSealed<T extends { readonly sealed?: unknown } | null | undefined>(state: T): T {
  if (state === null || state === undefined || state.sealed === undefined) return state;
  const { sealed: _sealed, ...rest } = state;
  return rest as T;
}

/** `clear` as an RFC 4514 DN value: specials, NUL, a leading `#` or space and a trailing space escaped as `\\c` or as hex pairs. */
function dnEscaped(clear: string, style: 'char' | 'hex' | 'HEX'): string {
  const chars = [...clear];
  return chars.map((c, i) => {
    const special = '"+,;<>\\='.includes(c) || c === '\0' || (i === 0 && (c === '#' || c === ' ')) || (i === chars.length - 1 && c === ' ');
    if (!special) return c;
    if (style === 'char' && c !== '\0') return `\\${c}`;
    const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
    return `\\${style === 'HEX' ? hex.toUpperCase() : hex}`;
  }).join('');
}

/** A form, or undefined when it cannot be made (encodeURIComponent refuses a lone surrogate). */
function tried(make: () => string): string | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * What to take out of a message for one secret: the value as it is, and the
 * forms a message may quote it in. JSON-escaped (a message quoting a JSON
 * body); percent-encoded as in a URL and as in a form body (`+` for a
 * space); base64 and base64url, on its own (an LDIF line, AD's unicodePwd as
 * UTF-16LE in quotes) or inside a longer encoding (`user:password` in a
 * Basic header, a JSON Web Token), where it starts at any of three byte
 * offsets: the characters only the value determines are matched together
 * with the partial groups around them; and escaped for an LDAP filter
 * (RFC 4515) or a DN value (RFC 4514, as `\\,` or as hex pairs).
 */
function secretPatterns(clear: string): RegExp[] {
  const utf8 = Buffer.from(clear, 'utf8');
  const unicodePwd = Buffer.from(`"${clear}"`, 'utf16le');
  const exact = [
    clear,
    JSON.stringify(clear).slice(1, -1),
    tried(() => encodeURIComponent(clear)),
    tried(() => new URLSearchParams([['', clear]]).toString().slice(1)),
    utf8.toString('base64'), utf8.toString('base64url'),
    unicodePwd.toString('base64'), unicodePwd.toString('base64url'),
    clear.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
    dnEscaped(clear, 'char'), dnEscaped(clear, 'hex'), dnEscaped(clear, 'HEX'),
  ];
  const patterns = [...new Set(exact.filter((form): form is string => form !== undefined && form !== ''))]
    .sort((a, b) => b.length - a.length)
    .map((form) => new RegExp(escapeRegExp(form), 'g'));
  for (const bytes of [utf8, unicodePwd]) {
    for (const offset of [0, 1, 2]) {
      // Whole 3-byte groups of the value at this offset: their 4 characters depend on the value alone.
      const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
      const core = encoded.slice(4 * Math.ceil(offset / 3), 4 * Math.floor((offset + bytes.length) / 3));
      if (core.length < 8) continue;
      for (const text of [core, core.replace(/\+/g, '-').replace(/\//g, '_')]) {
        patterns.push(new RegExp(`[A-Za-z0-9+/_-]{0,3}${escapeRegExp(text)}[A-Za-z0-9+/_=-]{0,4}`, 'g'));
      }
    }
  }
  return patterns;
}

/**
 * `value` with every clear secret in it, as it is or in a form a message
 * may quote it in (secretPatterns), replaced by `[secret <name>]` (strings,
 * and the strings inside lists and objects): for what a connector says when
 * it refuses a value, which may quote it (PostgreSQL's "invalid input syntax
 * for type integer: \"…\"", a directory quoting a value). Never throws.
 */
export function scrubSecrets<T>(value: T, secrets: ReadonlyArray<readonly [name: string, clear: string]>): T {
  if (typeof value === 'string') {
    let text: string = value;
    for (const [name, clear] of secrets) {
      if (clear === '') continue;
      for (const pattern of secretPatterns(clear)) text = text.replace(pattern, `[secret ${name}]`);
    }
    return text as T;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => scrubSecrets(item, secrets)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubSecrets(v, secrets)])) as T;
  }
  return value;
}

/**
 * A thrown error with the secrets taken out of its message, in place: the
 * same error object, so its class and result code still say what failed.
 * Anything that is not an Error comes back as it is.
 */
export function withoutSecretsInMessage(error: unknown, secrets: ReadonlyArray<readonly [name: string, clear: string]>): unknown {
  if (!(error instanceof Error) || secrets.length === 0) return error;
  const scrubbed = scrubSecrets(error.message, secrets);
  if (scrubbed !== error.message) error.message = scrubbed;
  return error;
}
