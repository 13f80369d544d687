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
