import { resultCodeOf, ResultCode } from '../directory/errors.js';
import type { ClientPool } from '../directory/pool.js';
import type { Logger } from '../types.js';
import type { LdapDisableConfig } from './config.js';
import { modifyWithSecrets, type EnablePasswords } from './enable.js';

/** What an enable by `move` needs besides the entry's disabled DN and its passwords. */
export interface MoveBack {
  readonly pool: ClientPool;
  readonly log: Logger;
  readonly fields: Record<string, unknown>;
  /** disable.password (absent: `keep`). */
  readonly password: LdapDisableConfig['password'];
  /** The modify DN back to the entry's enabled DN; resolves to the DN it has then. */
  move(): Promise<string>;
  /** Disable the entry again (move it back below the disabled OU): the password could not be written after the move. */
  undo(): Promise<void>;
}

/**
 * The move back of an enable by `move`, and the write of a rehire's password
 * (enable.ts enablePasswords; `passwords` undefined: none is set) around it.
 * A modify DN cannot change attributes, so the two are separate operations,
 * and the order decides what a stop in between leaves:
 *
 * - `disable.password: remove`: moved back first, then the password written
 *   at the enabled DN. The disable took the password, so the entry comes back
 *   without one; stopped in between, it is enabled with no password (it cannot
 *   bind), and the retried enable, which finds it enabled, writes it
 *   (LdapConnector #setEnabled: enabledPasswords). The disabled entry is never
 *   given a password, and the write never goes below the disabled OU, which
 *   the server may well shut to the bind account (docs/directories.md).
 * - `keep` (the default): the disabled entry still holds the former
 *   employment's password, so the new one is written first, at the disabled
 *   DN, and then the entry is moved: it is never enabled with the former one.
 *   Where the server refuses that write (insufficientAccessRights: an ACL that
 *   shuts userPassword below the disabled OU to everyone but the rootDN, as the
 *   docs suggest for `move`), the rehire would fail for good; then, and only
 *   then, the entry is moved back first and the password written at once (a
 *   warning says so, without any value). For that moment the entry is enabled
 *   with its former password; if the write fails, the entry is disabled again
 *   (`undo`), so a refusal never leaves it enabled with the former password;
 *   a process stopped in between leaves it so until the retry (which writes
 *   the password: see above) or the next plan. Giving the bind account write
 *   access to userPassword below the disabled OU, or `password: remove`,
 *   avoids that moment.
 *
 * Every step may be retried: a replace writes the same values again, and the
 * mover finds a move already done.
 */
export async function enableByMove(disabledDn: string, passwords: EnablePasswords | undefined, o: MoveBack): Promise<void> {
  if (passwords === undefined) {
    await o.move();
    return;
  }
  if (o.password === 'remove') {
    await modifyWithSecrets(o.pool, await o.move(), passwords.changes, passwords.clear);
    return;
  }
  try {
    await modifyWithSecrets(o.pool, disabledDn, passwords.changes, passwords.clear);
  } catch (error) {
    if (resultCodeOf(error) !== ResultCode.insufficientAccessRights) throw error;
    o.log.warn('rehire: the directory refused writing the password below the disabled OU to the bind account, so the account is moved back first '
      + 'and its password written right after (disable.password: keep; for that moment it holds its former password)', o.fields);
    await writeAfterMove(passwords, o);
    return;
  }
  await o.move();
}

/** The keep fallback: moved back, then the password written; a failed write disables the entry again. */
async function writeAfterMove(passwords: EnablePasswords, o: MoveBack): Promise<void> {
  const dn = await o.move();
  try {
    await modifyWithSecrets(o.pool, dn, passwords.changes, passwords.clear);
  } catch (error) {
    await o.undo().catch((undone: unknown) => {
      o.log.error('rehire: the password could not be written after the move back, nor the account disabled again: it holds its former password until the enable is retried',
        { ...o.fields, dn, cause: undone instanceof Error ? undone.message : String(undone) });
    });
    throw error;
  }
}
