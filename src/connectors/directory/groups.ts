import { RosterError } from '../../core/errors.js';
import { equalityFilter, objectClassFilter, andFilter, orFilter } from './escape.js';
import { formatDn, normaliseDn, parentDn, parseDn, leafValue } from './dn.js';
import { resultCodeOf, ResultCode } from './errors.js';
import type { ClientPool } from './pool.js';
import { Attribute, Change } from 'ldapts';

export type GroupClass = 'groupOfNames' | 'groupOfUniqueNames' | 'posixGroup' | 'group';

export interface GroupSettings {
  /** Where groups live; plain entitlement names become `cn=<name>,<base>`. */
  readonly base: string;
  readonly objectClass: GroupClass;
  /** Entitlements that are not DNs are names of groups directly under `base`; read back the same way. */
  readonly names: boolean;
  /** Create a missing group on the first grant. */
  readonly create: boolean;
  /**
   * The member kept in a groupOfNames / groupOfUniqueNames when the last real
   * member goes (the attribute is mandatory). Default: the group's own DN.
   */
  readonly placeholder: string | undefined;
  readonly pageSize: number;
}

/** Who a membership is about: member / uniqueMember hold the DN, memberUid holds the uid. */
export interface Member {
  readonly dn: string;
  readonly uid: string | undefined;
}

const MEMBER_ATTRIBUTE: Readonly<Record<GroupClass, string>> = {
  groupOfNames: 'member',
  groupOfUniqueNames: 'uniqueMember',
  posixGroup: 'memberUid',
  group: 'member',
};

/**
 * Group memberships in a directory: the entitlement is the group (a DN, or a
 * name under the groups base). Every change is idempotent.
 */
export class DirectoryGroups {
  readonly memberAttribute: string;
  readonly #settings: GroupSettings;
  readonly #pool: ClientPool;
  readonly #base: string;

  constructor(settings: GroupSettings, pool: ClientPool) {
    this.#settings = settings;
    this.#pool = pool;
    this.memberAttribute = MEMBER_ATTRIBUTE[settings.objectClass];
    this.#base = normaliseDn(settings.base);
  }

  /**
   * The group DN an entitlement names. Only groups at or below the base are
   * Roster's: reads never report any other group, so a grant elsewhere would
   * be planned again forever; it is refused. (A revoke elsewhere is `remove`'s
   * no-op: see there.)
   */
  groupDn(entitlement: string): string {
    const dn = this.#resolve(entitlement);
    if (!this.manages(dn)) {
      throw new RosterError('target.rejected',
        `entitlement ${JSON.stringify(entitlement)} is a group outside the groups base ${this.#settings.base}: Roster does not manage it (move the group below the base, or widen groups.base)`,
        { details: { group: dn, base: this.#settings.base } });
    }
    return dn;
  }

  /** The DN an entitlement names, wherever it is; a clear error when it is neither a DN nor a name. */
  #resolve(entitlement: string): string {
    if (this.#settings.names && !entitlement.includes('=')) return formatDn([[{ type: 'cn', value: entitlement }], ...parseDn(this.#settings.base)]);
    try {
      return formatDn(parseDn(entitlement));
    } catch {
      throw new RosterError('target.rejected', `entitlement ${JSON.stringify(entitlement)} is neither a group DN nor a group name`);
    }
  }

  /** Is the group one Roster manages: at or below the groups base, the only place reads look? */
  manages(groupDn: string): boolean {
    let dn: string;
    try {
      dn = normaliseDn(groupDn);
    } catch {
      return false;
    }
    // Normalised values escape ',' in hex form, so a literal comma always separates RDNs.
    return dn === this.#base || dn.endsWith(`,${this.#base}`);
  }

  /** The entitlements of a member's groups (memberOf): only the managed ones, each as `entitlement` reports it. */
  entitlementsOf(groupDns: readonly string[]): string[] {
    return groupDns.filter((dn) => this.manages(dn)).map((dn) => this.entitlement(dn)).sort();
  }

  /** The entitlement a group DN is reported as (its name when it sits directly under the base). */
  entitlement(groupDn: string): string {
    if (this.#settings.names && normaliseDn(parentDn(groupDn)) === normaliseDn(this.#settings.base)) return leafValue(groupDn) ?? groupDn;
    return groupDn;
  }

  #value(member: Member): string | undefined {
    return this.memberAttribute === 'memberUid' ? member.uid : member.dn;
  }

  #needsPlaceholder(): boolean {
    return this.#settings.objectClass === 'groupOfNames' || this.#settings.objectClass === 'groupOfUniqueNames';
  }

  async add(member: Member, entitlement: string): Promise<void> {
    const dn = this.groupDn(entitlement);
    const value = this.#value(member);
    if (value === undefined) throw new RosterError('target.rejected', `the account has no uid for memberUid of ${dn}`);
    try {
      if (!await this.#addValue(dn, value)) return;
    } catch (error) {
      if (resultCodeOf(error) !== ResultCode.noSuchObject || !this.#settings.create) throw error;
      await this.#create(dn, value);
      return;
    }
    if (this.#needsPlaceholder()) await this.#removeValue(dn, this.#placeholder(dn));
  }

  /**
   * Take the member out of the group. A group outside the base is a no-op
   * success: Roster does not manage it, so it must not touch the membership
   * (Domain Admins), and a link written before memberships were filtered may
   * still list it: refusing would plan the revoke again on every run and count
   * each refusal toward quarantining the target. Succeeding lets the link drop it.
   */
  async remove(member: Member, entitlement: string): Promise<void> {
    const dn = this.#resolve(entitlement);
    if (!this.manages(dn)) return;
    const value = this.#value(member);
    if (value === undefined) return;
    try {
      await this.#removeValue(dn, value);
    } catch (error) {
      const code = resultCodeOf(error);
      if (code === ResultCode.noSuchObject) return;
      if (!this.#needsPlaceholder() || (code !== ResultCode.objectClassViolation && code !== ResultCode.constraintViolation)) throw error;
      // The last member: the attribute is mandatory, so the placeholder takes its place.
      await this.#pool.use((c) => c.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: this.memberAttribute, values: [this.#placeholder(dn)] }) })));
    }
  }

  /** The group DNs the member is directly in. */
  async of(member: Member): Promise<string[]> {
    const tests = [equalityFilter(this.memberAttribute, this.#value(member) ?? '')];
    const { searchEntries } = await this.#pool.use((c) => c.search(this.#settings.base, {
      scope: 'sub', filter: andFilter(objectClassFilter([this.#settings.objectClass]), orFilter(...tests)), attributes: ['1.1'],
    }));
    return searchEntries.map((e) => e.dn);
  }

  /** Every group's members: normalised member DN (or uid) -> group DNs. */
  async all(): Promise<Map<string, string[]>> {
    const byMember = new Map<string, string[]>();
    const attribute = this.memberAttribute;
    const client = await this.#pool.lease();
    const pages = client.searchPaginated(this.#settings.base, {
      scope: 'sub', filter: objectClassFilter([this.#settings.objectClass]), attributes: [attribute], paged: { pageSize: this.#settings.pageSize },
    });
    for await (const page of pages) {
      for (const group of page.searchEntries) {
        const raw = Object.entries(group).find(([name]) => name.toLowerCase() === attribute.toLowerCase())?.[1] ?? [];
        for (const value of Array.isArray(raw) ? raw : [raw]) {
          const key = this.memberKey(String(value));
          byMember.set(key, [...(byMember.get(key) ?? []), group.dn]);
        }
      }
    }
    return byMember;
  }

  /** The key `all()` files a member value under. */
  memberKey(value: string): string {
    if (this.memberAttribute === 'memberUid') return `uid:${value}`;
    try {
      return normaliseDn(value);
    } catch {
      return value;
    }
  }

  keyOf(member: Member): string {
    return this.memberAttribute === 'memberUid' ? `uid:${member.uid ?? ''}` : normaliseDn(member.dn);
  }

  /**
   * After a rename, point the memberships `groupDns` (read before it) from the
   * member's old value to its new one: the DN for member / uniqueMember, the
   * uid for memberUid. Only this member's values change. The new value goes in
   * before the old one goes out, so a group it is the only member of never
   * loses its mandatory attribute. Either step may already be done (refint
   * rewrites DN values by itself, in the background): both are idempotent.
   */
  async carry(groupDns: readonly string[], before: Member, after: Member): Promise<void> {
    const from = this.#value(before);
    const to = this.#value(after);
    if (from === undefined || to === undefined || this.memberKey(from) === this.memberKey(to)) return;
    for (const dn of groupDns) {
      try {
        await this.#addValue(dn, to);
        await this.#removeValue(dn, from);
      } catch (error) {
        // The group was deleted meanwhile: nothing left to carry.
        if (resultCodeOf(error) !== ResultCode.noSuchObject) throw error;
      }
    }
  }

  #placeholder(groupDn: string): string {
    return this.#settings.placeholder ?? groupDn;
  }

  /** Add one member value; false when the group already held it. */
  async #addValue(groupDn: string, value: string): Promise<boolean> {
    try {
      await this.#pool.use((c) => c.modify(groupDn, new Change({ operation: 'add', modification: new Attribute({ type: this.memberAttribute, values: [value] }) })));
      return true;
    } catch (error) {
      const code = resultCodeOf(error);
      // Samba answers entryAlreadyExists (68) where OpenLDAP says attributeOrValueExists (20): on a modify both mean "already a member".
      if (code === ResultCode.attributeOrValueExists || code === ResultCode.entryAlreadyExists) return false;
      throw error;
    }
  }

  async #removeValue(groupDn: string, value: string): Promise<void> {
    try {
      await this.#pool.use((c) => c.modify(groupDn, new Change({ operation: 'delete', modification: new Attribute({ type: this.memberAttribute, values: [value] }) })));
    } catch (error) {
      const code = resultCodeOf(error);
      // Samba answers unwillingToPerform "Attribute member already deleted" where OpenLDAP says noSuchAttribute.
      if (code === ResultCode.noSuchAttribute || (code === ResultCode.unwillingToPerform && /already deleted/i.test(String(error)))) return;
      throw error;
    }
  }

  async #create(groupDn: string, firstMember: string): Promise<void> {
    const cn = leafValue(groupDn) ?? '';
    const objectClass = this.#settings.objectClass;
    if (objectClass === 'posixGroup') throw new RosterError('target.rejected', `group ${groupDn} does not exist (posixGroup needs a gidNumber: create it first)`);
    try {
      await this.#pool.use((c) => c.add(groupDn, { objectClass: objectClass === 'group' ? ['top', 'group'] : ['top', objectClass], cn, [this.memberAttribute]: [firstMember] }));
    } catch (error) {
      if (resultCodeOf(error) !== ResultCode.entryAlreadyExists) throw error;
      await this.add({ dn: firstMember, uid: firstMember }, groupDn);
    }
  }
}
