import { RosterError, isRosterError } from '../../core/errors.js';
import { scimTypeOf } from './errors.js';
import { eqFilter } from './filter.js';
import { resourcePath, type Query, type ScimHttp } from './http.js';
import { putChanged } from './put.js';
import type { PatchOperation, ScimResource } from './mapping.js';
import { lookup, type Searching } from './search.js';

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** RFC 7644 §3.4.2.5: a group's members (thousands, for some) are not sent when only its id or name is wanted. */
const WITHOUT_MEMBERS: Query = { excludedAttributes: 'members' };

export interface GroupContext {
  readonly http: ScimHttp;
  readonly targetId: string;
  /** How to search, and whether the server takes PATCH, known once discovery ran. */
  readonly search: () => Promise<Searching & { readonly patch: boolean }>;
}

/**
 * Entitlements are SCIM Groups named by displayName. Ids found are cached
 * (a group's id does not change); a miss is not, so a group created by
 * someone else is found on the next grant.
 */
export class GroupDirectory {
  readonly #context: GroupContext;
  readonly #ids = new Map<string, string>();
  readonly #names = new Map<string, string>();
  readonly #pending = new Map<string, Promise<string | undefined>>();
  /** Cleared when the server answers 400 to excludedAttributes and the same request without it works. */
  #excludes = true;

  constructor(context: GroupContext) {
    this.#context = context;
  }

  /**
   * The id of the group named `name`, creating it when asked to; undefined
   * when there is none. Concurrent grants of one entitlement share one lookup.
   */
  async find(name: string, create = false): Promise<string | undefined> {
    const cached = this.#ids.get(name);
    if (cached !== undefined) return cached;
    let pending = this.#pending.get(name);
    if (pending === undefined) {
      pending = this.#resolve(name, create).finally(() => this.#pending.delete(name));
      this.#pending.set(name, pending);
    }
    const id = await pending;
    return id === undefined && create ? this.#resolve(name, true) : id;
  }

  async #resolve(name: string, create: boolean): Promise<string | undefined> {
    const holds = (group: ScimResource) => typeof group.displayName === 'string' && group.displayName.toLowerCase() === name.toLowerCase();
    const searching = await this.#context.search();
    const found = await this.withoutMembers((query) => lookup(this.#context.http, '/Groups', searching, [{ attribute: 'displayName', value: name, holds }], query));
    const exact = found.find((g) => g.displayName === name) ?? found[0];
    if (exact !== undefined) return this.#remember(name, exact.id as string);
    if (!create) return undefined;
    try {
      const { body } = await this.#context.http.request('POST', '/Groups', { body: { schemas: [GROUP_SCHEMA], displayName: name } });
      const id = (body as ScimResource | undefined)?.id;
      if (typeof id === 'string') return this.#remember(name, id);
      // A 2xx without the created group (empty, not JSON): it exists; find it.
      const made = await this.#resolve(name, false);
      if (made === undefined) throw new RosterError('target.rejected', `POST /Groups on ${this.#context.targetId}: the created group has no id, and none is named ${JSON.stringify(name)}`);
      return made;
    } catch (error) {
      // Created meanwhile by a concurrent grant: find it.
      if (isRosterError(error, 'target.conflict')) return this.#resolve(name, false);
      throw error;
    }
  }

  /** The displayName of a group id (for servers whose User.groups omit `display`). */
  async nameOf(id: string): Promise<string | undefined> {
    const cached = this.#names.get(id);
    if (cached !== undefined) return cached;
    try {
      const path = resourcePath('/Groups', id, this.#context.targetId);
      const { body } = await this.withoutMembers((query) => this.#context.http.request('GET', path, { query }));
      const name = (body as ScimResource | undefined)?.displayName;
      if (typeof name !== 'string') return undefined;
      this.#remember(name, id);
      return name;
    } catch (error) {
      if (isRosterError(error, 'target.not_found')) return undefined;
      throw error;
    }
  }

  /**
   * Group reads that need no members, asked for without them. A server that
   * refuses the parameter (400) gets the request again without it; if that
   * works, it is not sent again.
   */
  async withoutMembers<T>(work: (query: Query) => Promise<T>): Promise<T> {
    if (!this.#excludes) return work({});
    try {
      return await work(WITHOUT_MEMBERS);
    } catch (error) {
      if (!(error instanceof RosterError) || error.details?.status !== 400) throw error;
      const result = await work({});
      this.#excludes = false;
      return result;
    }
  }

  /** Forget a group that answered 404 (deleted in the target). */
  forget(id: string): void {
    const name = this.#names.get(id);
    this.#names.delete(id);
    if (name !== undefined) this.#ids.delete(name);
  }

  #remember(name: string, id: string): string {
    this.#ids.set(name, id);
    this.#names.set(id, name);
    return id;
  }
}

export interface MemberChange {
  readonly op: 'add' | 'remove';
  readonly userId: string;
}

/** The PATCH operations for a batch of member changes: runs of adds become one `add`, each remove its own valuePath. */
export function memberOperations(changes: readonly MemberChange[]): PatchOperation[] {
  const operations: PatchOperation[] = [];
  for (const change of changes) {
    const last = operations[operations.length - 1];
    if (change.op === 'add' && last?.op === 'add') (last.value as Array<{ value: string }>).push({ value: change.userId });
    else if (change.op === 'add') operations.push({ op: 'add', path: 'members', value: [{ value: change.userId }] });
    else operations.push({ op: 'remove', path: `members[${eqFilter('value', change.userId)}]` });
  }
  return operations;
}

interface Waiting extends MemberChange {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Member changes per group, coalesced: grants and revokes that arrive while
 * a group's PATCH is being built or sent wait and go together in the next
 * one, at most `maxPerRequest` per request (AWS allows 100). One request per
 * group at a time also keeps concurrent PATCHes of the same group from
 * overwriting each other on servers that apply them as read-modify-write.
 */
export class MemberQueue {
  readonly #context: GroupContext;
  readonly #maxPerRequest: number;
  readonly #queues = new Map<string, Waiting[]>();

  constructor(context: GroupContext, maxPerRequest: number) {
    this.#context = context;
    this.#maxPerRequest = maxPerRequest;
  }

  change(groupId: string, op: 'add' | 'remove', userId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(groupId);
      if (queue !== undefined) {
        queue.push({ op, userId, resolve, reject });
        return;
      }
      this.#queues.set(groupId, [{ op, userId, resolve, reject }]);
      void this.#drain(groupId);
    });
  }

  async #drain(groupId: string): Promise<void> {
    // Let the grants issued in the same turn of the event loop join this batch.
    await new Promise((resolve) => setImmediate(resolve));
    const queue = this.#queues.get(groupId) ?? [];
    while (queue.length > 0) {
      const batch = queue.splice(0, this.#maxPerRequest);
      try {
        await this.#apply(groupId, batch);
        for (const change of batch) change.resolve();
      } catch (error) {
        for (const change of batch) change.reject(error);
      }
    }
    this.#queues.delete(groupId);
  }

  async #apply(groupId: string, batch: readonly MemberChange[]): Promise<void> {
    const { patch } = await this.#context.search();
    if (!patch) return this.#put(groupId, batch);
    try {
      await this.#patch(groupId, batch);
    } catch (error) {
      // RFC 7644 §3.5.2.2: removing a member that is not there may be a 400 noTarget. The
      // whole PATCH failed; apply the changes one by one, a missing member being already removed.
      if (scimTypeOf(error) !== 'noTarget') throw error;
      for (const change of batch) {
        await this.#patch(groupId, [change]).catch((e: unknown) => {
          if (change.op !== 'remove' || scimTypeOf(e) !== 'noTarget') throw e;
        });
      }
    }
  }

  async #patch(groupId: string, batch: readonly MemberChange[]): Promise<void> {
    await this.#context.http.request('PATCH', resourcePath('/Groups', groupId, this.#context.targetId), {
      body: { schemas: [PATCH_SCHEMA], Operations: memberOperations(batch) },
    });
  }

  /**
   * Servers without PATCH: read the group, change its members, write it back
   * (with If-Match, so a member someone else added meanwhile is not lost).
   */
  async #put(groupId: string, batch: readonly MemberChange[]): Promise<void> {
    const path = resourcePath('/Groups', groupId, this.#context.targetId);
    const read = async () => (await this.#context.http.request('GET', path)).body;
    await putChanged(this.#context.http, path, read, (body) => {
      const { meta: _meta, ...group } = (body ?? {}) as ScimResource;
      const members = new Map<string, unknown>();
      for (const member of Array.isArray(group.members) ? group.members : []) {
        const value = (member as { value?: unknown } | null)?.value;
        if (typeof value === 'string') members.set(value, member);
      }
      for (const change of batch) {
        if (change.op === 'add') members.set(change.userId, members.get(change.userId) ?? { value: change.userId });
        else members.delete(change.userId);
      }
      return { ...group, members: [...members.values()] };
    });
  }
}
