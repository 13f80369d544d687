import { describe, expect, it } from 'vitest';
import type { Change } from 'ldapts';
import { DirectoryGroups, type GroupClass } from './groups.js';
import type { ClientPool, DirectoryClient } from './pool.js';
import { ResultCode } from './errors.js';

/**
 * A directory with no overlay at all (no refint): groups as value sets, and a
 * log of every modification, to show what `carry` itself sends.
 */
function directory(groups: Record<string, string[]>) {
  const log: string[] = [];
  const fail = (code: number) => Object.assign(new Error(`LDAP ${code}`), { code });
  const client = {
    modify(dn: string, changes: Change | Change[]) {
      const values = groups[dn];
      if (values === undefined) throw fail(ResultCode.noSuchObject);
      for (const change of Array.isArray(changes) ? changes : [changes]) {
        const value = String(change.modification.values[0]);
        log.push(`${dn} ${change.operation} ${value}`);
        const at = values.indexOf(value);
        if (change.operation === 'add' && at >= 0) throw fail(ResultCode.attributeOrValueExists);
        if (change.operation === 'delete' && at < 0) throw fail(ResultCode.noSuchAttribute);
        if (change.operation === 'add') values.push(value);
        else values.splice(at, 1);
      }
      return Promise.resolve();
    },
  } as Pick<DirectoryClient, 'modify'>;
  // Only `use` is called by carry; the cast stands for a pool of this one client.
  const pool = { use: <T>(run: (c: DirectoryClient) => Promise<T>) => run(client as DirectoryClient) } as unknown as ClientPool;
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
