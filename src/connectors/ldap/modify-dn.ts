import { MessageResponseStatus, ModifyDNRequest, StatusCodeParser, type ModifyDNResponse } from 'ldapts';
import { RosterError } from '../../core/errors.js';
import { formatDn, parentDn, parseDn, sameDn } from '../directory/dn.js';
import { isNoSuchObject, resultCodeOf, ResultCode } from '../directory/errors.js';
import { ensureParentOUs } from '../directory/parents.js';
import { isCheckedMajor, LDAPTS_VERSION } from '../directory/ldapts-version.js';
import type { ClientPool, DirectoryClient } from '../directory/pool.js';
import type { EntryReader, LdapEntry } from './entries.js';
import { leavesKeyedRdn } from './new-entry.js';

/** What ldapts's own modifyDN uses of its Client: private there, so checked before use. */
interface ClientInternals {
  _nextMessageId(): number;
  _send(request: ModifyDNRequest): Promise<ModifyDNResponse | undefined>;
}

/**
 * The ldapts major versions whose Client internals (`_nextMessageId`,
 * `_send`, and ModifyDNRequest taking deleteOldRdn and newSuperior) were
 * checked for modifyDnKeepingValues. Another major may change them without
 * notice: then the move is refused with an error naming the version, never
 * sent in a form that may delete the account key.
 */
const CHECKED_LDAPTS_MAJORS: readonly number[] = [8];

/** Refuse (clearly) an ldapts version whose internals modifyDnKeepingValues was not checked against. */
export function assertModifyDnInternals(version: string | undefined = LDAPTS_VERSION): void {
  if (!isCheckedMajor(version, CHECKED_LDAPTS_MAJORS)) {
    throw new RosterError('target.rejected',
      `a move that keeps the old RDN values (modify DN with deleteOldRdn false) needs ldapts ${CHECKED_LDAPTS_MAJORS.map((m) => `${m}.x`).join(' or ')}, ` +
      `and ${version === undefined ? 'its version cannot be read' : `${version} is installed`}: ldapts has no public API for it, ` +
      'and Roster uses its internals only on a version they were checked on (see src/connectors/ldap/modify-dn.ts)');
  }
}

/**
 * modify DN with deleteOldRdn false: the values of the old RDN stay in the
 * entry. ldapts's modifyDN always deletes them, and leaving
 * `cn=John Smith+uid=jsmith` for `cn=John Smith` would then delete the
 * account key (and a posixAccount, which must have a uid, would be refused).
 * ldapts has no option for it, so this sends the request as its modifyDN
 * does, on a connection the pool has already bound, and only on an ldapts
 * version whose internals were checked (assertModifyDnInternals).
 */
export async function modifyDnKeepingValues(client: DirectoryClient, dn: string, newDn: string): Promise<void> {
  assertModifyDnInternals();
  const internals = client as unknown as Partial<ClientInternals>;
  if (typeof internals._send !== 'function' || typeof internals._nextMessageId !== 'function') {
    throw new RosterError('target.rejected', `ldapts ${LDAPTS_VERSION ?? ''} no longer has the internals a modify DN that keeps the old RDN values (deleteOldRdn false) needs`);
  }
  const [rdn, ...parent] = parseDn(newDn);
  const request = new ModifyDNRequest({
    messageId: internals._nextMessageId(), dn, deleteOldRdn: false,
    newRdn: formatDn(rdn === undefined ? [] : [rdn]), newSuperior: formatDn(parent),
  });
  const result = await internals._send(request);
  if (result?.status !== MessageResponseStatus.Success) throw StatusCodeParser.parse(result);
}

/**
 * A plain modify DN (old RDN values deleted) through ldapts's public
 * modifyDN. It finds the new superior by the first comma not right after a
 * backslash, which a backslash-escaped backslash ending the RDN value
 * (`cn=a\\,ou=…`) defeats: the DN is written in hex-escaped form first
 * (`cn=a\5c,ou=…`), where no separator follows a backslash.
 */
export function modifyDnPlain(client: DirectoryClient, dn: string, newDn: string): Promise<void> {
  return client.modifyDN(dn, formatDn(parseDn(newDn)));
}

export interface EntryMoverOptions {
  readonly pool: ClientPool;
  readonly reader: EntryReader;
  readonly keyLdap: string;
  readonly users: { readonly createOUs: boolean; readonly base: string };
  readonly targetId: string;
}

/** Moves and renames account entries with modify DN (movers, the disabled OU, renames). */
export class EntryMover {
  readonly #o: EntryMoverOptions;

  constructor(options: EntryMoverOptions) {
    this.#o = options;
  }

  /**
   * modify DN (new RDN and new superior); the caller carries the memberships.
   * When another entry holds `newDn`, the move goes to `keyed` instead, if
   * given (two leavers named John Smith in the disabled OU).
   */
  async move(entry: LdapEntry, newDn: string, keyed?: string): Promise<LdapEntry> {
    const done = new Done(this.#o.reader, entry.uuid, keyed === undefined ? [newDn] : [newDn, keyed]);
    try {
      await this.#rename(entry.dn, newDn, done);
    } catch (error) {
      if (keyed === undefined || resultCodeOf(error) !== ResultCode.entryAlreadyExists) throw error;
      await this.#rename(entry.dn, keyed, done);
    }
    const moved = done.entry ?? await this.#o.reader.byUuid(entry.uuid);
    if (moved === undefined) throw new RosterError('target.not_found', `update on ${this.#o.targetId}: ${entry.uuid} vanished after its move`);
    return moved;
  }

  /** The DN a move to `target` gives the entry: `keyed` when another entry holds `target` (as move decides). */
  async destination(entry: LdapEntry, target: string, keyed: string | undefined): Promise<string> {
    if (keyed === undefined) return target;
    const holder = await this.#o.reader.byDn(target);
    return holder === undefined || holder.uuid === entry.uuid ? target : keyed;
  }

  /**
   * noSuchObject from a modify DN is either a missing new parent or the entry
   * no longer at `dn`: the pool sends a modify DN again when the connection
   * dropped before the reply, and the first one may have been applied. An
   * entry already where this move puts it is a move done.
   */
  async #rename(dn: string, newDn: string, done: Done): Promise<void> {
    try {
      await this.#modifyDn(dn, newDn);
    } catch (error) {
      if (!isNoSuchObject(error)) throw error;
      if (await done.check()) return;
      if (!this.#o.users.createOUs) throw this.#missingParent(error, done, newDn);
      await ensureParentOUs(this.#o.pool, newDn, this.#o.users.base);
      try {
        await this.#modifyDn(dn, newDn);
      } catch (again) {
        if (!isNoSuchObject(again)) throw again;
        if (!await done.check()) throw this.#missingParent(again, done, newDn);
      }
    }
  }

  /**
   * noSuchObject from a move of an entry that is still there (not moved):
   * the new parent is missing. Reported as such (target.rejected), never as
   * target.not_found: the account exists, and a caller taking not_found for
   * "the account is gone" (an orphan's disable) would count a disable that
   * never happened as done.
   */
  #missingParent(error: unknown, done: Done, newDn: string): unknown {
    if (!done.exists) return error;
    const parent = parentDn(newDn);
    return new RosterError('target.rejected',
      `move on ${this.#o.targetId}: cannot move ${done.dn ?? ''} to ${newDn}: its parent ${parent} does not exist ` +
      '(create it, or set users.createOUs for OUs below users.base); the entry stays where it is',
      { cause: error, details: { dn: done.dn, newDn, parent } });
  }

  /**
   * A modify DN never deletes the account key: leaving an RDN that holds it
   * (`cn=John Smith+uid=jsmith` back to `cn=John Smith`) keeps the old RDN's
   * values, which are the entry's own (the RDN was made from them).
   */
  #modifyDn(dn: string, newDn: string): Promise<void> {
    if (leavesKeyedRdn(dn, newDn, this.#o.keyLdap)) return this.#o.pool.use((c) => modifyDnKeepingValues(c, dn, newDn));
    return this.#o.pool.use((c) => modifyDnPlain(c, dn, newDn));
  }
}

/** Whether a move is already done: the entry (by entryUUID) found at one of the DNs the move may give it. */
class Done {
  /** The entry as found there, once `check` said yes. */
  entry: LdapEntry | undefined;
  readonly #reader: EntryReader;
  readonly #uuid: string;
  readonly #dns: readonly string[];

  constructor(reader: EntryReader, uuid: string, dns: readonly string[]) {
    this.#reader = reader;
    this.#uuid = uuid;
    this.#dns = dns;
  }

  /** After a check: whether the entry was found at all, and at which DN. */
  exists = false;
  dn: string | undefined;

  async check(): Promise<boolean> {
    const now = await this.#reader.byUuid(this.#uuid);
    this.exists = now !== undefined;
    this.dn = now?.dn;
    if (now === undefined || !this.#dns.some((dn) => sameDn(now.dn, dn))) return false;
    this.entry = now;
    return true;
  }
}
