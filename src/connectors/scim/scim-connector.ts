import { RosterError, isRosterError } from '../../core/errors.js';
import type { Attributes, TargetAccount } from '../../core/types.js';
import type { AccountSpec, Connector, ConnectorCapabilities, ConnectorContext, Logger } from '../types.js';
import type { ScimConnectionConfig } from './config.js';
import { discover } from './discovery.js';
import { scimTypeOf } from './errors.js';
import { eqFilter } from './filter.js';
import { GroupDirectory, MemberQueue, type GroupContext } from './groups.js';
import { resourcePath, type ScimHttp } from './http.js';
import { UserMapping, type PatchOperation, type ScimResource } from './mapping.js';
import { DEFAULT_PAGE_SIZE, type ScimCapabilities, type ScimProfile } from './profiles/index.js';
import { putChanged } from './put.js';
import { lookup, pages, type Lookup, type Searching } from './search.js';

const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** What matchBy names, as filter attributes (RFC 7643 §4.1). */
const MATCH_ATTRIBUTE = { userName: 'userName', externalId: 'externalId', emails: 'emails.value' } as const;
/** RFC 7643 §4.1.1/§4.1.2: userName and emails are case-insensitive, externalId is case-exact. */
const CASE_EXACT = { userName: false, externalId: true, emails: false } as const;

/**
 * A SaaS application through its SCIM 2.0 API (RFC 7644), Roster being the
 * client. What the server supports is discovered once (ServiceProviderConfig)
 * and the profile adds what the application documents beyond the RFC.
 */
export class ScimConnector implements Connector {
  readonly kind = 'scim';
  readonly capabilities: ConnectorCapabilities;
  readonly #http: ScimHttp;
  readonly #config: ScimConnectionConfig;
  readonly #profile: ScimProfile;
  readonly #targetId: string;
  readonly #log: Logger;
  readonly #mapping: UserMapping;
  readonly #groups: GroupDirectory;
  readonly #members: MemberQueue;
  #discovered: Promise<ScimCapabilities> | undefined;

  constructor(http: ScimHttp, config: ScimConnectionConfig, profile: ScimProfile, context: ConnectorContext) {
    this.#http = http;
    this.#config = config;
    this.#profile = profile;
    this.#targetId = context.targetId;
    this.#log = context.log;
    this.#mapping = new UserMapping(config.mapping, config.userSchemaExtensions, context.targetId);
    const groupContext: GroupContext = { http, targetId: context.targetId, search: () => this.#search() };
    this.#groups = new GroupDirectory(groupContext);
    this.#members = new MemberQueue(groupContext, profile.maxMembersPerPatch);
    this.capabilities = { entitlements: profile.groups, disable: true, delete: profile.canDelete };
  }

  /** Discovery (when the profile has it), then a one-user read that proves the credentials. */
  async check(): Promise<void> {
    const capabilities = await discover(this.#http, this.#profile, this.#targetId);
    this.#discovered = Promise.resolve(capabilities);
    await this.#http.request('GET', '/Users', { query: { count: 1 } });
  }

  async *list(): AsyncIterable<TargetAccount> {
    const { paging } = await this.#search();
    for await (const resource of pages(this.#http, '/Users', paging)) yield await this.#account(resource);
  }

  async get(accountId: string): Promise<TargetAccount | undefined> {
    const resource = await this.#read(accountId);
    return resource === undefined ? undefined : this.#account(resource);
  }

  async create(spec: AccountSpec): Promise<TargetAccount> {
    const body = this.#mapping.toResource(spec.attributes, spec.enabled);
    if (this.#mapping.scimValue(body, 'userName') === undefined) {
      throw new RosterError('target.rejected', `create on ${this.#targetId}: the attribute mapped to userName must be a non-empty string`);
    }
    const existing = await this.#match(body);
    if (existing !== undefined) return this.#adopt(existing, spec);
    let created: ScimResource | undefined;
    try {
      created = (await this.#http.request('POST', '/Users', { body })).body as ScimResource | undefined;
    } catch (error) {
      // RFC 7644 §3.3: 409 uniqueness — created meanwhile (a retry after a lost answer): adopt it.
      if (!isRosterError(error, 'target.conflict') && scimTypeOf(error) !== 'uniqueness') throw error;
      const raced = await this.#match(body);
      // Held where no matchBy search sees it (a deactivated user hidden from filters, say): it may be this person's
      // own account, so the value is not reported as taken by someone else (another name would be a second account).
      if (raced === undefined) throw error;
      return this.#adopt(raced, spec);
    }
    if (typeof created?.id === 'string') return this.#account(created);
    // A 2xx without the created resource (empty, not JSON, no id): the account exists; find it as a retry would.
    const made = await this.#match(body);
    if (made === undefined) {
      throw new RosterError('target.rejected', `POST /Users on ${this.#targetId}: the answer carries no id (RFC 7644 §3.3 returns the created resource), and no account matches`);
    }
    return this.#account(made);
  }

  async update(accountId: string, attributes: Attributes): Promise<void> {
    await this.#write(accountId, attributes, undefined);
  }

  async setEnabled(accountId: string, enabled: boolean): Promise<void> {
    if (!enabled && this.#profile.disableBy === 'delete') {
      await this.#http.request('DELETE', this.#userPath(accountId));
      return;
    }
    await this.#write(accountId, {}, enabled);
  }

  async delete(accountId: string): Promise<void> {
    if (!this.#profile.canDelete) {
      throw new RosterError('target.rejected', `delete on ${this.#targetId}: ${this.#profile.name} only deactivates accounts (set leaver.delete: never)`);
    }
    try {
      await this.#http.request('DELETE', this.#userPath(accountId));
    } catch (error) {
      if (!isRosterError(error, 'target.not_found')) throw error; // already gone: what delete wanted
    }
  }

  async grant(accountId: string, entitlement: string): Promise<void> {
    this.#requireGroups('grant');
    const user = await this.#read(accountId);
    if (user === undefined) throw new RosterError('target.not_found', `grant on ${this.#targetId}: no account ${accountId}`);
    if ((await this.#entitlements(user)).includes(entitlement)) return;
    const groupId = await this.#groups.find(entitlement, this.#config.groups.createMissing);
    if (groupId === undefined) {
      throw new RosterError('target.rejected', `grant on ${this.#targetId}: no group named ${JSON.stringify(entitlement)} (create it, or set groups.createMissing: true)`);
    }
    await this.#changeMember(groupId, 'add', accountId);
  }

  async revoke(accountId: string, entitlement: string): Promise<void> {
    this.#requireGroups('revoke');
    const user = await this.#read(accountId);
    if (user === undefined || !(await this.#entitlements(user)).includes(entitlement)) return;
    const groupId = await this.#groups.find(entitlement);
    if (groupId !== undefined) await this.#changeMember(groupId, 'remove', accountId);
  }

  async close(): Promise<void> {
    // fetch keeps no per-connector connection (undici's global pool closes idle sockets itself): only requests under way end.
    this.#http.close();
  }

  /** Capabilities from discovery, else (logged once) those the profile declares. */
  #capabilities(): Promise<ScimCapabilities> {
    this.#discovered ??= discover(this.#http, this.#profile, this.#targetId).catch((error: unknown) => {
      const declared = this.#profile.declared;
      if (declared === undefined) {
        this.#discovered = undefined;
        throw error;
      }
      this.#log.warn('SCIM discovery failed; using the capabilities the profile declares', {
        target: this.#targetId, profile: this.#profile.name, error: error instanceof Error ? error.message : String(error),
      });
      return declared;
    });
    return this.#discovered;
  }

  async #search(): Promise<Searching & { patch: boolean }> {
    const capabilities = await this.#capabilities();
    const limit = capabilities.maxResults ?? Number.POSITIVE_INFINITY;
    const pageSize = Math.min(this.#config.pageSize ?? capabilities.maxResults ?? DEFAULT_PAGE_SIZE, limit);
    return {
      paging: { pageSize, pagination: this.#profile.pagination },
      filter: capabilities.filter,
      or: this.#profile.filterOr,
      patch: capabilities.patch,
    };
  }

  #userPath(accountId: string): string {
    return resourcePath('/Users', accountId, this.#targetId);
  }

  async #read(accountId: string): Promise<ScimResource | undefined> {
    try {
      const { body } = await this.#http.request('GET', this.#userPath(accountId));
      if (body === null || typeof body !== 'object' || typeof (body as ScimResource).id !== 'string') {
        // A ListResponse, an empty 200: reading it as an account would invent one (with the id "undefined").
        throw new RosterError('target.rejected', `GET /Users/${encodeURIComponent(accountId)} on ${this.#targetId}: the answer is not a SCIM resource with an id`);
      }
      return body as ScimResource;
    } catch (error) {
      if (isRosterError(error, 'target.not_found')) return undefined;
      throw error;
    }
  }

  /**
   * An account that already holds one of the spec's matchBy values (one
   * search for all of them where the server takes `or`). The first matchBy
   * attribute that finds one wins; two accounts for one value is a conflict,
   * not a guess.
   */
  async #match(body: ScimResource): Promise<ScimResource | undefined> {
    const wanted: Array<Lookup & { by: string }> = [];
    for (const by of this.#config.matchBy) {
      const value = this.#mapping.scimValue(body, by);
      if (value === undefined) continue;
      // Compared in NFC (as the planner and reconcile do): a name stored decomposed is the same name.
      const form = (text: string) => CASE_EXACT[by] ? text.normalize('NFC') : text.normalize('NFC').toLowerCase();
      const same = (v: unknown) => typeof v === 'string' && form(v) === form(value);
      const holds = (user: ScimResource) => by === 'emails'
        ? Array.isArray(user.emails) && user.emails.some((e) => same((e as { value?: unknown } | null)?.value))
        : same(user[by]);
      // The server's filter compares code points: ask for the value in both forms, whichever the server stored.
      for (const variant of new Set([value, value.normalize('NFC'), value.normalize('NFD')])) {
        wanted.push({ by, attribute: MATCH_ATTRIBUTE[by], value: variant, holds });
      }
    }
    const found = await lookup(this.#http, '/Users', await this.#search(), wanted);
    for (const { attribute, value, holds } of wanted) {
      const matches = found.filter(holds);
      if (matches.length > 1) {
        throw new RosterError('target.conflict', `create on ${this.#targetId}: ${matches.length} accounts have ${eqFilter(attribute, value)}; resolve by hand`);
      }
      if (matches[0] !== undefined) return matches[0];
    }
    return undefined;
  }

  /** Bring an existing account in line with the spec (only what differs), then return it. */
  async #adopt(existing: ScimResource, spec: AccountSpec): Promise<TargetAccount> {
    const accountId = existing.id as string;
    // externalId is the client's own id of the person (RFC 7643 §3.1): another one there is another person's
    // account (a departed namesake, say), which an adoption would hand over to this one.
    const wanted = this.#mapping.scimValue(this.#mapping.toResource(spec.attributes, spec.enabled), 'externalId');
    if (wanted !== undefined && typeof existing.externalId === 'string' && existing.externalId !== '' && existing.externalId.normalize('NFC') !== wanted.normalize('NFC')) {
      throw new RosterError('target.conflict', `create on ${this.#targetId}: account ${accountId} matches but belongs to externalId ${JSON.stringify(existing.externalId)}, not ${JSON.stringify(wanted)}; resolve by hand`);
    }
    const current = await this.#read(accountId) ?? existing;
    await this.#send(accountId, current, this.#mapping.patchOperations(spec.attributes, current, spec.enabled), spec.attributes, spec.enabled);
    const adopted = await this.#read(accountId);
    if (adopted === undefined) throw new RosterError('target.not_found', `create on ${this.#targetId}: account ${accountId} vanished while being adopted`);
    return this.#account(adopted);
  }

  /**
   * Set attributes and/or `active`. With PATCH: the blind operations first
   * (no read); a 400 noTarget (a selected element such as the work email does
   * not exist yet) is answered by reading the account and sending the exact
   * difference. Without PATCH: GET, change, PUT.
   */
  async #write(accountId: string, attributes: Attributes, enabled: boolean | undefined): Promise<void> {
    const { patch } = await this.#search();
    const operations = this.#mapping.patchOperations(attributes, undefined, enabled);
    if (patch && operations.length > 0) {
      try {
        await this.#patch(accountId, operations);
        return;
      } catch (error) {
        if (scimTypeOf(error) !== 'noTarget') throw error;
      }
    }
    const current = await this.#read(accountId);
    if (current === undefined) throw new RosterError('target.not_found', `update on ${this.#targetId}: no account ${accountId}`);
    await this.#send(accountId, current, this.#mapping.patchOperations(attributes, current, enabled), attributes, enabled);
  }

  /** Send the difference to a known current state: PATCH when supported, else PUT of the whole resource. */
  async #send(accountId: string, current: ScimResource, operations: PatchOperation[], attributes: Attributes, enabled?: boolean): Promise<void> {
    if (operations.length === 0) return;
    const { patch } = await this.#search();
    if (patch) return this.#patch(accountId, operations);
    const read = async () => {
      const resource = await this.#read(accountId);
      if (resource === undefined) throw new RosterError('target.not_found', `update on ${this.#targetId}: no account ${accountId}`);
      return resource;
    };
    await putChanged(this.#http, this.#userPath(accountId), read, (resource) => this.#mapping.applyTo(resource as ScimResource, attributes, enabled), current);
  }

  async #patch(accountId: string, operations: PatchOperation[]): Promise<void> {
    await this.#http.request('PATCH', this.#userPath(accountId), { body: { schemas: [PATCH_SCHEMA], Operations: operations } });
  }

  async #changeMember(groupId: string, op: 'add' | 'remove', accountId: string): Promise<void> {
    try {
      await this.#members.change(groupId, op, accountId);
    } catch (error) {
      if (isRosterError(error, 'target.not_found')) this.#groups.forget(groupId);
      throw error;
    }
  }

  #requireGroups(operation: string): void {
    if (!this.#profile.groups) {
      throw new RosterError('target.rejected', `${operation} on ${this.#targetId}: profile ${this.#profile.name} does not push entitlements as SCIM groups`);
    }
  }

  /** Group names of a user: its `groups` attribute, or (profiles whose groups hide members) a member filter on /Groups. */
  async #entitlements(user: ScimResource): Promise<string[]> {
    if (!this.#profile.groups) return [];
    const names = new Set<string>();
    if (this.#profile.membershipsFrom === 'groupFilter') {
      const { paging } = await this.#search();
      const filter = eqFilter(this.#profile.memberFilterAttribute, user.id as string);
      await this.#groups.withoutMembers(async (query) => {
        names.clear();
        for await (const group of pages(this.#http, '/Groups', paging, { ...query, filter })) {
          if (typeof group.displayName === 'string') names.add(group.displayName);
        }
      });
      return [...names].sort();
    }
    for (const membership of Array.isArray(user.groups) ? user.groups : []) {
      const { value, display } = (membership ?? {}) as { value?: unknown; display?: unknown };
      const name = typeof display === 'string' ? display : typeof value === 'string' ? await this.#groups.nameOf(value) : undefined;
      if (name !== undefined) names.add(name);
    }
    return [...names].sort();
  }

  async #account(resource: ScimResource): Promise<TargetAccount> {
    const { attributes, enabled } = this.#mapping.fromResource(resource);
    return { accountId: String(resource.id), attributes, enabled, entitlements: await this.#entitlements(resource) };
  }
}
