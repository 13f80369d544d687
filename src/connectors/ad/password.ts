import { randomInt } from 'node:crypto';
import type { ClientPool } from '../directory/pool.js';
import type { Logger } from '../types.js';
import { domainMinPwdLength } from './domain.js';

const CLASSES = [
  'ABCDEFGHJKLMNPQRSTUVWXYZ',
  'abcdefghijkmnopqrstuvwxyz',
  '23456789',
  '!#%+-.:=?@_~',
] as const;

/** Roster's own floor for an initial password, and the longest it makes (AD takes up to 256 characters; 128 is plenty). */
export const MIN_PASSWORD_LENGTH = 16;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * The length to generate: the configured length, or the domain's
 * minPwdLength when that asks for more, within Roster's floor and cap. A
 * password shorter than the policy would be refused and the new account
 * left disabled.
 */
export function initialPasswordLength(configured: number, domainMinimum: number | undefined): number {
  return Math.min(MAX_PASSWORD_LENGTH, Math.max(MIN_PASSWORD_LENGTH, configured, domainMinimum ?? 0));
}

/**
 * A random initial password that meets AD complexity: at least 16 characters
 * (default 24), every one of the four classes, drawn with crypto.randomInt.
 * It is set once, never logged, never returned; the user must change it at
 * next logon (pwdLastSet: 0).
 */
export function initialPassword(length = 24, avoid: readonly string[] = []): string {
  const size = Math.min(MAX_PASSWORD_LENGTH, Math.max(MIN_PASSWORD_LENGTH, length));
  for (;;) {
    const chars = CLASSES.map((set) => set[randomInt(set.length)] ?? '');
    const all = CLASSES.join('');
    while (chars.length < size) chars.push(all[randomInt(all.length)] ?? '');
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
    }
    const password = chars.join('');
    if (meetsComplexity(password, avoid)) return password;
  }
}

/**
 * AD's complexity rule: three of the four classes and no part (3+ characters)
 * of the account or display name. We ask for all four.
 */
export function meetsComplexity(password: string, avoid: readonly string[] = []): boolean {
  if (password.length < MIN_PASSWORD_LENGTH) return false;
  if (!CLASSES.every((set) => [...password].some((c) => set.includes(c)))) return false;
  const lower = password.toLowerCase();
  return !avoid.flatMap((name) => name.toLowerCase().split(/[,.\-_ #\t]+/)).some((token) => token.length >= 3 && lower.includes(token));
}

/** The value of unicodePwd: the password in double quotes, UTF-16LE. */
export function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** How long the domain's minPwdLength is trusted before it is read again. */
const PASSWORD_POLICY_TTL_MS = 10 * 60_000;

/**
 * The initial password length: the configured one, or the domain's
 * minPwdLength if that asks for more. Read again after ten minutes (a
 * domain's policy changes while Roster runs), when `fresh` (AD refused a
 * password) and after a failed read.
 */
export class PasswordPolicy {
  readonly #pool: ClientPool;
  readonly #configured: number;
  readonly #log: Logger;
  readonly #targetId: string;
  #read: { readonly length: Promise<number>; readonly at: number } | undefined;

  constructor(pool: ClientPool, configured: number, log: Logger, targetId: string) {
    this.#pool = pool;
    this.#configured = configured;
    this.#log = log;
    this.#targetId = targetId;
  }

  length(fresh: boolean): Promise<number> {
    const cached = this.#read;
    if (cached !== undefined && !fresh && Date.now() - cached.at < PASSWORD_POLICY_TTL_MS) return cached.length;
    const length = domainMinPwdLength(this.#pool).then((minimum) => {
      const chosen = initialPasswordLength(this.#configured, minimum);
      this.#log.debug('initial password length chosen', { target: this.#targetId, domainMinimum: minimum ?? null, length: chosen });
      return chosen;
    }, (error: unknown) => {
      if (this.#read?.length === length) this.#read = undefined;
      throw error;
    });
    this.#read = { length, at: Date.now() };
    return length;
  }

  /**
   * The length to try once AD refused a password of `refused` characters: the
   * domain's policy read again, or the longest Roster makes when that asks for
   * no more. A fine-grained password policy (a PSO on the user or one of its
   * groups) can ask for more than the domain's minPwdLength, and the bind
   * account usually may not read it: without this, every retry of a rehire's
   * enable is refused the same way. Nobody types an initial password.
   */
  async afterRefusal(refused: number): Promise<number> {
    const again = await this.length(true);
    return again > refused ? again : MAX_PASSWORD_LENGTH;
  }
}
