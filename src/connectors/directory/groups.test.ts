import { describe, expect, it } from 'vitest';
import { Attribute, SearchEntry, SearchResponse, type Change, type SearchRequest } from 'ldapts';
import { DirectoryGroups, type GroupClass } from './groups.js';
import { AD_GROUP_NAME_MAX, adGroupAccountName } from './sam-account-name.js';
import type { ClientPool, DirectoryClient } from './pool.js';
import { ResultCode } from './errors.js';

/**
 * A directory with no overlay at all (no refint): groups as value sets, and a
 * log of every modification, to show what the code itself sends. A modify is
 * atomic (all its changes or none), and a group may not lose its last value
 * (objectClassViolation), as groupOfNames / groupOfUniqueNames on slapd.
 * `before` runs ahead of each modify (another job's write landing first).
 */
function directory(groups: Record<string, string[]>, options: { before?: (dn: string) => void } = {}) {
  const log: string[] = [];
  const fail = (code: number) => Object.assign(new Error(`LDAP ${code}`), { code });
  const entry = (dn: string, attributes: readonly string[] | undefined) => ({ dn, [attributes?.[0] ?? 'member']: [...(groups[dn] ?? [])] });
  // A subtree search for one member's groups, as slapd answers it: `(uniqueMember=<dn>)` matches only values without a UID,
  // `(uniqueMember~=<dn>)` any value of that DN, UID or not (uniqueMemberMatch); `(member=<dn>)` the value itself.
  const holding = (filter: string, attributes: readonly string[] | undefined) => {
    const asserted = /\((?:uniqueMember|member)~?=([^)]*)\)/.exec(filter)?.[1]?.toLowerCase() ?? '';
    const approximate = filter.includes('~=');
    const plain = (values: readonly string[]) => values.some((v) => v.toLowerCase() === asserted);
    const tagged = (values: readonly string[]) => values.some((v) => v.replace(/#'[01]*'B$/, '').toLowerCase() === asserted);
    return Object.keys(groups).filter((dn) => (approximate ? tagged(groups[dn] ?? []) && !plain(groups[dn] ?? []) : plain(groups[dn] ?? [])))
      .map((dn) => (attributes?.[0] === '1.1' ? { dn } : entry(dn, attributes)));
  };
  const client = {
    modify(dn: string, changes: Change | Change[]) {
      options.before?.(dn);
      const stored = groups[dn];
      if (stored === undefined) return Promise.reject(fail(ResultCode.noSuchObject));
      const list = Array.isArray(changes) ? changes : [changes];
      log.push(`${dn} ${list.map((change) => `${change.operation} ${String(change.modification.values[0])}`).join(' + ')}`);
      const values = [...stored];
      for (const change of list) {
        const value = String(change.modification.values[0]);
        const at = values.indexOf(value);
        if (change.operation === 'add' && at >= 0) return Promise.reject(fail(ResultCode.attributeOrValueExists));
        if (change.operation === 'delete' && at < 0) return Promise.reject(fail(ResultCode.noSuchAttribute));
        if (change.operation === 'add') values.push(value);
        else values.splice(at, 1);
      }
      if (values.length === 0) return Promise.reject(fail(ResultCode.objectClassViolation));
      groups[dn] = values;
      return Promise.resolve();
    },
    search(dn: string, search: { attributes?: string[]; scope?: string; filter?: string }) {
      if (search.scope === 'sub') return Promise.resolve({ searchEntries: holding(search.filter ?? '', search.attributes), searchReferences: [] });
      if (groups[dn] === undefined) return Promise.reject(fail(ResultCode.noSuchObject));
      return Promise.resolve({ searchEntries: [entry(dn, search.attributes)], searchReferences: [] });
    },
    // A paged search (paged-search.ts) sends through ldapts's internals: every group in one page, no cookie.
    _nextMessageId: () => 1,
    _send(request: SearchRequest) {
      const type = request.attributes[0] ?? 'member';
      const searchEntries = Object.keys(groups).map((dn) => new SearchEntry({ messageId: 1, name: dn, attributes: [new Attribute({ type, values: [...(groups[dn] ?? [])] })] }));
      return Promise.resolve(new SearchResponse({ messageId: 1, searchEntries }));
    },
  } as unknown as Pick<DirectoryClient, 'modify' | 'search'>;
  // The cast stands for a pool of this one client.
  const pool = {
    use: <T>(run: (c: DirectoryClient) => Promise<T>) => run(client as DirectoryClient),
    lease: () => Promise.resolve(client as DirectoryClient),
  } as unknown as ClientPool;
  const of = (objectClass: GroupClass) => new DirectoryGroups({ base: 'ou=groups,dc=x', objectClass, names: true, create: false, placeholder: undefined, pageSize: 10 }, pool);
  return { groups, log, of };
}

describe('DirectoryGroups.carry', () => {
  it('moves member DNs itself, new value before old, and leaves other members alone', async () => {
    const d = directory({ 'cn=a,ou=groups,dc=x': ['uid=old,dc=x'], 'cn=b,ou=groups,dc=x': ['uid=peer,dc=x', 'uid=old,dc=x'] });
    await d.of('groupOfNames').carry(['cn=a,ou=groups,dc=x', 'cn=b,ou=groups,dc=x'], { dn: 'uid=old,dc=x', uid: 'old' }, { dn: 'uid=new,dc=x', uid: 'new' });
    expect(d.groups).toEqual({ 'cn=a,ou=groups,dc=x': ['uid=new,dc=x'], 'cn=b,ou=groups,dc=x': ['uid=peer,dc=x', 'uid=new,dc=x'] });
    expect(d.log).toEqual([
      'cn=a,ou=groups,dc=x add uid=new,dc=x', 'cn=a,ou=groups,dc=x delete uid=old,dc=x',
      'cn=b,ou=groups,dc=x add uid=new,dc=x', 'cn=b,ou=groups,dc=x delete uid=old,dc=x',
    ]);
  });

  it('finishes a move someone else half did, and skips a group deleted meanwhile', async () => {
    const d = directory({ 'cn=a,ou=groups,dc=x': ['uid=new,dc=x'], 'cn=b,ou=groups,dc=x': ['uid=old,dc=x', 'uid=new,dc=x'] });
    await d.of('groupOfUniqueNames').carry(['cn=gone,ou=groups,dc=x', 'cn=a,ou=groups,dc=x', 'cn=b,ou=groups,dc=x'], { dn: 'uid=old,dc=x', uid: 'old' }, { dn: 'uid=new,dc=x', uid: 'new' });
    expect(d.groups).toEqual({ 'cn=a,ou=groups,dc=x': ['uid=new,dc=x'], 'cn=b,ou=groups,dc=x': ['uid=new,dc=x'] });
  });

  it('memberUid follows the uid; a new DN with the same uid changes nothing', async () => {
    const d = directory({ 'cn=a,ou=groups,dc=x': ['old', 'peer'] });
    const posix = d.of('posixGroup');
    await posix.carry(['cn=a,ou=groups,dc=x'], { dn: 'uid=old,dc=x', uid: 'old' }, { dn: 'uid=old,ou=disabled,dc=x', uid: 'old' });
    expect(d.log).toEqual([]);
    await posix.carry(['cn=a,ou=groups,dc=x'], { dn: 'uid=old,dc=x', uid: 'old' }, { dn: 'uid=new,dc=x', uid: 'new' });
    expect(d.groups['cn=a,ou=groups,dc=x']).toEqual(['peer', 'new']);
  });
});

describe('DirectoryGroups: only groups below the base are managed', () => {
  const groups = directory({}).of('group');
  it('reads back only the memberships below the base, as names directly under it and DNs deeper down', () => {
    expect(groups.entitlementsOf([
      'CN=Domain Admins,CN=Users,dc=x', 'cn=vpn,ou=network,dc=x', 'CN=Sales,OU=Groups,DC=X', 'cn=eng,ou=teams,ou=groups,dc=x', 'cn=groups,dc=x', 'not a dn',
    ])).toEqual(['Sales', 'cn=eng,ou=teams,ou=groups,dc=x']);
  });
  it('does not take a sibling whose name ends like the base for a child of it', () => {
    expect(groups.manages('cn=a,ou=groups,dc=x')).toBe(true);
    expect(groups.manages('ou=groups,dc=x')).toBe(true);
    expect(groups.manages('cn=a,ou=moregroups,dc=x')).toBe(false);
    expect(groups.manages('cn=a\\,ou=groups,dc=x,dc=y')).toBe(false);
  });
  it('refuses to grant a group outside the base, and says why', async () => {
    const error = await groups.add({ dn: 'cn=u,dc=x', uid: undefined }, 'CN=Domain Admins,CN=Users,dc=x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'target.rejected', retryable: false });
    expect((error as Error).message).toMatch(/outside the groups base ou=groups,dc=x: Roster does not manage it/);
    expect(groups.groupDn('cn=eng,ou=teams,OU=Groups,dc=x')).toBe('cn=eng,ou=teams,OU=Groups,dc=x');
    expect(groups.groupDn('Sales')).toBe('cn=Sales,ou=groups,dc=x');
  });
  it('revokes a group outside the base as a no-op success (an old link may list it) without touching it', async () => {
    const d = directory({ 'CN=VPN,OU=Other,dc=x': ['cn=u,dc=x'] });
    await d.of('group').remove({ dn: 'cn=u,dc=x', uid: undefined }, 'CN=VPN,OU=Other,dc=x');
    expect(d.log).toEqual([]);
    expect(d.groups['CN=VPN,OU=Other,dc=x']).toEqual(['cn=u,dc=x']);
    const error = await d.of('group').remove({ dn: 'cn=u,dc=x', uid: undefined }, 'cn=bad,,=').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'target.rejected' });
  });
});

describe("DirectoryGroups: uniqueMember values with the optional #'…'B UID", () => {
  const g = 'cn=g,ou=groups,dc=x';
  const old = { dn: 'uid=old,dc=x', uid: 'old' };

  it('files a value under its DN, with or without a UID (uniqueMember only)', () => {
    const unique = directory({}).of('groupOfUniqueNames');
    expect(unique.memberKey("UID=Old,DC=X#'0101'B")).toBe(unique.keyOf(old));
    expect(unique.memberKey("uid=old,dc=x#''B")).toBe(unique.keyOf(old));
    expect(unique.memberKey('uid=old,dc=x')).toBe(unique.keyOf(old));
    // member has no UID part: the same text is another DN there.
    const names = directory({}).of('groupOfNames');
    expect(names.memberKey("uid=old,dc=x#'0101'B")).not.toBe(names.keyOf(old));
  });

  it('finds the groups whose value carries a UID, and all() files them under the DN', async () => {
    const d = directory({ [g]: ["uid=old,dc=x#'0101'B", 'uid=peer,dc=x'], 'cn=h,ou=groups,dc=x': ['uid=old,dc=x'], 'cn=i,ou=groups,dc=x': ['uid=peer,dc=x'] });
    const unique = d.of('groupOfUniqueNames');
    expect((await unique.of(old)).sort()).toEqual([g, 'cn=h,ou=groups,dc=x']);
    expect((await unique.all()).get(unique.keyOf(old))?.sort()).toEqual([g, 'cn=h,ou=groups,dc=x']);
  });

  it('a revoke deletes the values as stored, UID and all, and no other member', async () => {
    const d = directory({ [g]: ["UID=Old,dc=x#'0101'B", 'uid=peer,dc=x', 'uid=old,dc=x'] });
    await d.of('groupOfUniqueNames').remove(old, 'g');
    expect(d.groups[g]).toEqual(['uid=peer,dc=x']);
    expect(d.log).toEqual([`${g} delete UID=Old,dc=x#'0101'B`, `${g} delete uid=old,dc=x`]);
  });

  it('the last member with a UID gives way to the placeholder; a missing group is a no-op', async () => {
    const d = directory({ [g]: ["uid=old,dc=x#'01'B"] });
    await d.of('groupOfUniqueNames').remove(old, 'g');
    expect(d.groups[g]).toEqual([g]);
    await d.of('groupOfUniqueNames').remove(old, 'gone');
    expect(d.log).toEqual([`${g} delete uid=old,dc=x#'01'B`, `${g} add ${g} + delete uid=old,dc=x#'01'B`]);
  });

  it('a rename carries the UID to the new DN and removes the stored old value', async () => {
    const d = directory({ [g]: ["uid=OLD,dc=x#'0101'B", 'uid=peer,dc=x'] });
    await d.of('groupOfUniqueNames').carry([g], old, { dn: 'uid=new,dc=x', uid: 'new' });
    expect(d.groups[g]).toEqual(['uid=peer,dc=x', "uid=new,dc=x#'0101'B"]);
  });

  it('a rename already carried (refint, or an earlier try) changes nothing', async () => {
    const d = directory({ [g]: ["uid=new,dc=x#'0101'B"] });
    await d.of('groupOfUniqueNames').carry([g], old, { dn: 'uid=new,dc=x', uid: 'new' });
    expect(d.log).toEqual([]);
  });
});

describe('DirectoryGroups: the last member of a groupOfNames', () => {
  const g = 'cn=g,ou=groups,dc=x';
  const leaving = { dn: 'uid=leaving,dc=x', uid: 'leaving' };

  it('adds the placeholder and deletes the member in one request', async () => {
    const d = directory({ [g]: ['uid=leaving,dc=x'] });
    await d.of('groupOfNames').remove(leaving, 'g');
    expect(d.groups[g]).toEqual([g]);
    expect(d.log).toEqual([`${g} delete uid=leaving,dc=x`, `${g} add ${g} + delete uid=leaving,dc=x`]);
  });

  it('keeps a member another job adds between the failed delete and the placeholder', async () => {
    let raced = false;
    const d = directory({ [g]: ['uid=leaving,dc=x'] }, {
      before: (dn) => {
        // The second modify (the placeholder step) finds a member granted meanwhile.
        if (d.log.length === 1 && !raced) {
          raced = true;
          d.groups[dn]?.push('uid=joining,dc=x');
        }
      },
    });
    await d.of('groupOfNames').remove(leaving, 'g');
    expect(raced).toBe(true);
    expect(d.groups[g]).toEqual(['uid=joining,dc=x', g]);
  });

  it('sends the plain delete when the placeholder is there already', async () => {
    let raced = false;
    const d = directory({ [g]: ['uid=leaving,dc=x'] }, {
      before: (dn) => {
        // Another revoke put the placeholder in meanwhile.
        if (d.log.length === 1 && !raced) {
          raced = true;
          d.groups[dn]?.push(dn);
        }
      },
    });
    await d.of('groupOfNames').remove(leaving, 'g');
    expect(d.groups[g]).toEqual([g]);
    expect(d.log).toEqual([`${g} delete uid=leaving,dc=x`, `${g} add ${g} + delete uid=leaving,dc=x`, `${g} delete uid=leaving,dc=x`]);
  });

  it('a member gone meanwhile (or the group) ends the revoke without a placeholder', async () => {
    const d = directory({ [g]: ['uid=leaving,dc=x'] }, {
      before: (dn) => {
        if (d.log.length === 1) d.groups[dn] = ['uid=other,dc=x'];
      },
    });
    await d.of('groupOfNames').remove(leaving, 'g');
    expect(d.groups[g]).toEqual(['uid=other,dc=x']);
  });
});

describe("DirectoryGroups names mode: an entitlement with '='", () => {
  const groups = directory({}).of('groupOfNames');
  it('is a name unless it is clearly a DN', () => {
    for (const name of ['Ops = Admin', 'a=b', 'cn=Sales', 'Ops=Admin, EMEA', 'R&D=x,y=z']) {
      const dn = groups.groupDn(name);
      expect(dn.toLowerCase()).toMatch(/,ou=groups,dc=x$/);
      expect(groups.entitlement(dn)).toBe(name);
    }
    expect(groups.groupDn('Ops = Admin')).toBe('cn=Ops \\3d Admin,ou=groups,dc=x');
    // Two RDNs or more: a DN, inside the base or out of it.
    expect(groups.groupDn('cn=eng,ou=teams,ou=groups,dc=x')).toBe('cn=eng,ou=teams,ou=groups,dc=x');
    expect(() => groups.groupDn('cn=Sales,ou=elsewhere,dc=x')).toThrow(/outside the groups base/);
    // The shape of a DN that does not parse is refused, not taken for a name.
    expect(() => groups.groupDn('cn=bad,,=')).toThrow(/neither a group DN nor a group name/);
    expect(() => groups.groupDn(' ')).toThrow(/neither a group DN nor a group name/);
  });
  it('reports a group whose name would read as a DN by its DN, so it round-trips', () => {
    // The cn "x=a,ou=b" reads as a DN of two RDNs.
    const dn = 'cn=x\\3da\\2cou\\3db,ou=groups,dc=x';
    expect(groups.entitlement(dn)).toBe(dn);
    expect(groups.entitlement('cn=a\\,ou=b,ou=groups,dc=x')).toBe('a,ou=b');
    expect(groups.groupDn(groups.entitlement(dn))).toBe(dn);
    expect(groups.entitlement('ou=Sales,ou=groups,dc=x')).toBe('ou=Sales,ou=groups,dc=x');
  });
  it('without names, a text that is no DN is refused', () => {
    const strict = new DirectoryGroups({ base: 'ou=groups,dc=x', objectClass: 'groupOfNames', names: false, create: false, placeholder: undefined, pageSize: 10 }, {} as ClientPool);
    expect(() => strict.groupDn('Ops Admin')).toThrow(/neither a group DN nor a group name/);
  });
});

/**
 * An AD group store answering as a Windows DC does (group DNs in lower case), with a log of every add.
 * `madeMeanwhile`: a group another job creates between Roster's failed modify and its add.
 */
function windowsAd(groups: Record<string, string[]>, options: { takenNames?: string[]; madeMeanwhile?: Record<string, string[]> } = {}) {
  const adds: Record<string, unknown>[] = [];
  const fail = (code: number, text: string) => Object.assign(new Error(text), { code });
  const client = {
    modify(dn: string, change: Change) {
      const stored = groups[dn.toLowerCase()];
      if (stored === undefined) {
        Object.assign(groups, options.madeMeanwhile);
        return Promise.reject(fail(ResultCode.noSuchObject, '0000208D: NameErr: DSID-03100288, problem 2001 (NO_OBJECT)'));
      }
      const value = String(change.modification.values[0]);
      const at = stored.indexOf(value);
      if (change.operation === 'add' && at >= 0) return Promise.reject(fail(ResultCode.entryAlreadyExists, '00000562: UpdErr: DSID-031A11C4, problem 6005 (ENTRY_EXISTS), data 0\n'));
      if (change.operation === 'delete' && at < 0) return Promise.reject(fail(ResultCode.unwillingToPerform, '00000561: SvcErr: DSID-031A1021, problem 5003 (WILL_NOT_PERFORM), data 0\n'));
      if (change.operation === 'add') stored.push(value);
      else stored.splice(at, 1);
      return Promise.resolve();
    },
    add(dn: string, entry: Record<string, unknown>) {
      adds.push(entry);
      if (groups[dn.toLowerCase()] !== undefined) return Promise.reject(fail(ResultCode.entryAlreadyExists, '00002071: UpdErr: DSID-031B0C35, problem 6005 (ENTRY_EXISTS), data 0\n'));
      const name = entry.sAMAccountName;
      if (typeof name === 'string' && (options.takenNames ?? []).includes(name.toLowerCase())) {
        return Promise.reject(fail(ResultCode.entryAlreadyExists, '00000524: UpdErr: DSID-031A11C4, problem 6005 (ENTRY_EXISTS), data 0\n'));
      }
      groups[dn.toLowerCase()] = [...(entry.member as string[])];
      return Promise.resolve();
    },
  } as unknown as DirectoryClient;
  const pool = { use: <T>(run: (c: DirectoryClient) => Promise<T>) => run(client) } as unknown as ClientPool;
  const ad = new DirectoryGroups({ base: 'OU=Groups,DC=x', objectClass: 'group', names: true, create: true, placeholder: undefined, pageSize: 10 }, pool);
  return { groups, adds, ad };
}

describe('DirectoryGroups on Windows AD', () => {
  const user = { dn: 'CN=E1,OU=People,DC=x', uid: undefined };

  it('a revoke of a membership already gone (00000561 ERROR_MEMBER_NOT_IN_GROUP) is a no-op; other unwillingToPerform answers still fail', async () => {
    const d = windowsAd({ 'cn=sales,ou=groups,dc=x': ['CN=Other,DC=x'] });
    await expect(d.ad.remove(user, 'Sales')).resolves.toBeUndefined();
    expect(d.groups['cn=sales,ou=groups,dc=x']).toEqual(['CN=Other,DC=x']);
    const pool = { use: () => Promise.reject(Object.assign(new Error('00002035: SvcErr: DSID-03152D2C, problem 5003 (WILL_NOT_PERFORM), data 0'), { code: ResultCode.unwillingToPerform })) } as unknown as ClientPool;
    const other = new DirectoryGroups({ base: 'OU=Groups,DC=x', objectClass: 'group', names: true, create: true, placeholder: undefined, pageSize: 10 }, pool);
    await expect(other.remove(user, 'Sales')).rejects.toMatchObject({ code: ResultCode.unwillingToPerform });
  });

  it('a grant of a membership already there (68 00000562 ERROR_MEMBER_IN_GROUP) is a no-op', async () => {
    const d = windowsAd({ 'cn=sales,ou=groups,dc=x': [user.dn] });
    await expect(d.ad.add(user, 'Sales')).resolves.toBeUndefined();
    expect(d.groups['cn=sales,ou=groups,dc=x']).toEqual([user.dn]);
    expect(d.adds).toEqual([]);
  });

  it('a group it creates gets its name as sAMAccountName', async () => {
    const d = windowsAd({});
    await d.ad.add(user, 'Field Sales');
    expect(d.adds).toEqual([{ objectClass: ['top', 'group'], cn: 'Field Sales', member: [user.dn], sAMAccountName: 'Field Sales' }]);
    expect(d.groups['cn=field sales,ou=groups,dc=x']).toEqual([user.dn]);
  });

  it('a name another account holds: the group is created without one (AD generates it), not refused', async () => {
    const d = windowsAd({}, { takenNames: ['sales'] });
    await d.ad.add(user, 'Sales');
    expect(d.adds.map((entry) => entry.sAMAccountName)).toEqual(['Sales', undefined]);
    expect(d.groups['cn=sales,ou=groups,dc=x']).toEqual([user.dn]);
  });

  it('a group made meanwhile (the add says it exists, with the name and without): the member goes into it', async () => {
    const d = windowsAd({}, { madeMeanwhile: { 'cn=sales,ou=groups,dc=x': ['CN=Other,DC=x'] } });
    await d.ad.add(user, 'Sales');
    expect(d.adds.map((entry) => entry.sAMAccountName)).toEqual(['Sales', undefined]);
    expect(d.groups['cn=sales,ou=groups,dc=x']).toEqual(['CN=Other,DC=x', user.dn]);
  });
});

describe('adGroupAccountName', () => {
  it('is the name, forbidden characters as _, at most 64 characters, no trailing period or space', () => {
    expect(adGroupAccountName('Field Sales')).toBe('Field Sales');
    expect(adGroupAccountName('Sales/EMEA: [Ops]')).toBe('Sales_EMEA_ _Ops_');
    const long = `${'a'.repeat(60)} b. c d`;
    expect(adGroupAccountName(long)).toBe(`${'a'.repeat(60)} b`);
    expect([...adGroupAccountName('é'.repeat(100)) ?? '']).toHaveLength(AD_GROUP_NAME_MAX);
    expect(adGroupAccountName('...')).toBeUndefined();
  });
});
