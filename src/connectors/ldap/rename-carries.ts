import { normaliseDn } from '../directory/dn.js';
import { toDirectoryError } from '../directory/errors.js';
import type { DirectoryGroups, Member } from '../directory/groups.js';
import type { EntryReader, LdapEntry } from './entries.js';
import type { EntryMover } from './modify-dn.js';

/** A rename's group carry: the groups the entry was in as `before`, and the value added to them ahead of the rename. */
interface PendingCarry {
  readonly before: Member;
  readonly memberships: readonly string[];
  /** What the rename was to make the entry (its new DN and uid). */
  readonly planned: Member;
  /** The groups `planned` was added to ahead of the rename (none of them held it before). */
  readonly added: string[];
}

export interface RenameCarriesOptions {
  readonly groups: DirectoryGroups | undefined;
  readonly reader: EntryReader;
  readonly targetId: string;
  /** How groups name an entry (its DN, and its uid for memberUid). */
  readonly member: (entry: LdapEntry) => Member;
}

/**
 * Renames (modify DN, a new uid, or both) that keep the entry in exactly the
 * groups it was in: member / uniqueMember name the DN and memberUid the uid,
 * so either can go stale. The groups are read before the rename, because
 * afterwards nothing names the entry reliably: posixGroup has no overlay to
 * follow a uid, and refint (where configured) rewrites DN values on its own
 * schedule, which this code neither needs nor waits for.
 *
 * A failure part way must not lose the memberships, and the retry finds the
 * entry already renamed, with nothing left to say what it was called. So:
 * 1. the new value goes into the groups first (where the group did not hold
 *    it yet); a retry before the rename reads the same groups again;
 * 2. the rename;
 * 3. the old value comes out (the carry, see settleWith).
 * What steps 1 and 3 are about is recorded (in memory, per entryUUID) before
 * step 1, and the next operation on the entry through this connector
 * finishes it: with the entry renamed, the old value comes out; not renamed,
 * the value added in step 1 comes out again. A failure is settled at once
 * when the entry can still be read. A process that stops between steps 2
 * and 3 (or a retry run by another process) has no record: the update that
 * retries it says what the entry was called before (finishFrom), and the old
 * value comes out then. The entry itself keeps its groups either way.
 */
export class RenameCarries {
  readonly #o: RenameCarriesOptions;
  /** Renames whose group carry is not finished yet, by entryUUID, oldest first. */
  readonly #pending = new Map<string, PendingCarry[]>();

  constructor(options: RenameCarriesOptions) {
    this.#o = options;
  }

  /** Run `rename` (when `renames`) keeping the entry's groups; `planned` says what the entry will be called. */
  async keepingGroups(entry: LdapEntry, renames: boolean, planned: () => Promise<Member>, rename: () => Promise<Member>): Promise<void> {
    const { groups } = this.#o;
    const before = this.#o.member(entry);
    const memberships = groups !== undefined && renames ? await groups.of(before) : [];
    if (groups === undefined || memberships.length === 0) {
      await rename();
      return;
    }
    const carry: PendingCarry = { before, memberships, planned: await planned(), added: [] };
    const pending = this.#pending.get(entry.uuid) ?? [];
    pending.push(carry);
    this.#pending.set(entry.uuid, pending);
    let after: Member;
    try {
      await this.#addAhead(groups, carry);
      after = await rename();
    } catch (error) {
      // What the groups must hold depends on where the entry is now: settle now if it can be read (else the next operation does).
      await this.#o.reader.byUuid(entry.uuid).then((now) => (now === undefined ? undefined : this.settle(now))).catch(() => undefined);
      throw error;
    }
    await this.#settleWith(entry.uuid, after);
  }

  /** A move (EntryMover.move: to `target`, else `keyed`) keeping the entry's groups; resolves to its DN then. */
  async move(entry: LdapEntry, mover: EntryMover, target: string, keyed: string | undefined): Promise<string> {
    let moved: Member | undefined;
    const planned = async (): Promise<Member> => ({ dn: await mover.destination(entry, target, keyed), uid: this.#o.member(entry).uid });
    await this.keepingGroups(entry, true, planned, async () => (moved = this.#o.member(await mover.move(entry, target, keyed))));
    return moved?.dn ?? target;
  }

  /** Finish what renames of this entry left undone, before anything else is done to it. */
  settle(entry: LdapEntry): Promise<void> {
    return this.#settleWith(entry.uuid, this.#o.member(entry));
  }

  /**
   * The carry of a rename this process holds no record of (another process
   * renamed the entry and stopped, or failed, before step 3): `before` is
   * what the entry was called as Roster last recorded it (Placement's
   * previousMembers). A value of it that still names nothing (no entry at
   * that DN; no account with that uid) is the entry's own, left behind: in
   * every group holding it, the value the entry has now goes in and the old
   * one comes out, as step 3 would have done. A value that names another
   * entry now is that entry's, and stays.
   */
  async finishFrom(entry: LdapEntry, before: readonly Member[]): Promise<void> {
    const { groups } = this.#o;
    if (groups === undefined) return;
    const now = this.#o.member(entry);
    const seen = new Set([groups.keyOf(now)]);
    for (const old of before) {
      const key = groups.keyOf(old);
      if (seen.has(key)) continue;
      seen.add(key);
      if (!await this.#namesNothing(groups, old)) continue;
      const holding = await groups.of(old);
      if (holding.length > 0) await groups.carry(holding, old, now);
    }
  }

  /** No entry is named by `member`'s value any more: for memberUid no account holds the uid, else no entry is at the DN. */
  async #namesNothing(groups: DirectoryGroups, member: Member): Promise<boolean> {
    if (groups.memberAttribute === 'memberUid') return member.uid !== undefined && (await this.#o.reader.withValue('uid', member.uid)).length === 0;
    return await this.#o.reader.byDn(member.dn) === undefined;
  }

  /**
   * Step 1 of a rename: the new value into each group of the entry that does
   * not hold it yet (each one recorded first, so an undo finds it). A group
   * that refuses the value (memberof's dangling check on a DN not there yet)
   * leaves the rest to the carry after the rename.
   */
  async #addAhead(groups: DirectoryGroups, carry: PendingCarry): Promise<void> {
    if (groups.keyOf(carry.planned) === groups.keyOf(carry.before)) return;
    const holding = new Set((await groups.of(carry.planned)).map((dn) => normaliseDn(dn)));
    for (const group of carry.memberships) {
      if (holding.has(normaliseDn(group))) continue;
      carry.added.push(group);
      try {
        await groups.add(carry.planned, groups.entitlement(group));
      } catch (error) {
        if (toDirectoryError(error, this.#o.targetId, 'update').retryable) throw error;
        carry.added.pop();
        return;
      }
    }
  }

  /**
   * The entry is now `now`: in every group it was in before each pending
   * rename, its value before comes out and `now` goes in (both steps
   * idempotent; nothing when the rename did not happen), and a value added
   * ahead of a rename that named something else comes out again.
   */
  async #settleWith(uuid: string, now: Member): Promise<void> {
    const { groups } = this.#o;
    const pending = this.#pending.get(uuid);
    if (groups === undefined || pending === undefined) return;
    // Taken out while it runs, so that a concurrent operation on the entry does not run the same records again.
    this.#pending.delete(uuid);
    try {
      for (let carry = pending[0]; carry !== undefined; carry = pending[0]) {
        await groups.carry(carry.memberships, carry.before, now);
        if (carry.added.length > 0 && groups.keyOf(carry.planned) !== groups.keyOf(now)) await groups.carry(carry.added, carry.planned, now);
        pending.shift();
      }
    } catch (error) {
      this.#pending.set(uuid, [...pending, ...(this.#pending.get(uuid) ?? [])]);
      throw error;
    }
  }
}
