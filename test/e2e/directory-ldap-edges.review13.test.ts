import { Attribute, Change } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { sameDn } from '../../src/connectors/directory/dn.js';
import { peopleTarget, useSlapd } from '../support/slapd-fixture.js';

/**
 * Edge cases of the ldap target connector against a private slapd (review 13):
 * attribute aliases, repeated values, posix accounts with non-ASCII names,
 * uidNumbers held outside users.base, multi-valued RDN attributes, movers with
 * attribute changes, leavers deleted from the disabled OU, escaped members.
 */
const fixture = useSlapd();
const suffix = (): string => fixture.slapd.suffix;

function hooked(users: Record<string, unknown> = {}, groups: Record<string, unknown> = {}, disable?: Record<string, unknown>) {
  return fixture.hooked(peopleTarget(suffix(), { users, groups, ...(disable === undefined ? {} : { disable }) }));
}

async function read(dn: string, attributes: string[]): Promise<Record<string, string[]>> {
  const { searchEntries } = await fixture.admin.search(dn, { scope: 'base', attributes });
  const entry = searchEntries[0] ?? {};
  return Object.fromEntries(attributes.map((name) => {
    const raw = (entry as Record<string, unknown>)[name] ?? [];
    return [name, (Array.isArray(raw) ? raw : [raw]).map(String).sort()];
  }));
}

async function dnsOf(filter: string): Promise<string[]> {
  const { searchEntries } = await fixture.admin.search(suffix(), { scope: 'sub', filter, attributes: ['1.1'] });
  return searchEntries.map((e) => e.dn);
}

describe('attributes written under an alias (surname for sn, userid for uid)', () => {
  it('a create with the alias mapped and users.defaults naming the primary name writes one sn, not a refused add', async () => {
    const { connector } = hooked({ attributes: { lastName: 'surname' } });
    const account = await connector.create({ attributes: { uid: 'al.create', lastName: 'Aliased' }, enabled: true });
    expect(account.attributes.lastName).toBe('Aliased');
    expect((await read(`uid=al.create,ou=people,${suffix()}`, ['sn'])).sn).toEqual(['Aliased']);
  });

  it('an update with the value the entry holds writes nothing (compared under the name slapd answers with)', async () => {
    const { connector, pool } = hooked({ attributes: { lastName: 'surname' }, defaults: { cn: '{uid}' } });
    const account = await connector.create({ attributes: { uid: 'al.same', lastName: 'Same' }, enabled: true });
    const writes: string[] = [];
    pool.hook = async (op, args, send) => {
      writes.push(`${op} ${String(args[0])}`);
      return send();
    };
    try {
      await connector.update(account.accountId, { lastName: 'Same' });
      await connector.update(account.accountId, { lastName: 'Other' });
    } finally {
      pool.hook = undefined;
    }
    expect(writes).toEqual([`modify uid=al.same,ou=people,${suffix()}`]);
    expect((await read(`uid=al.same,ou=people,${suffix()}`, ['sn'])).sn).toEqual(['Other']);
  });

  it('posixGroup: a uid written as userid carries memberUid to the new uid (the DN does not change)', async () => {
    const s = suffix();
    await fixture.admin.add(`cn=al-pg,ou=groups,${s}`, { objectClass: ['top', 'posixGroup'], cn: 'al-pg', gidNumber: '9301' });
    const { connector } = hooked({ dn: `cn={emp},ou=people,${s}`, key: 'emp', attributes: { emp: 'employeeNumber', login: 'userid' }, defaults: { sn: '{emp}' } },
      { objectClass: 'posixGroup', create: false });
    const account = await connector.create({ attributes: { emp: 'al-1', login: 'al.old' }, enabled: true });
    await connector.grant(account.accountId, 'al-pg');
    await connector.update(account.accountId, { login: 'al.new' });
    expect((await read(`cn=al-pg,ou=groups,${s}`, ['memberUid'])).memberUid).toEqual(['al.new']);
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['al-pg']);
  });
});

describe('multi-valued attributes', () => {
  it('a value given twice is written once (create and update), and the order of values is no change', async () => {
    const { connector, pool } = hooked();
    const account = await connector.create({ attributes: { uid: 'mv.twice', email: ['b@example.com', 'a@example.com', 'b@example.com'] }, enabled: true });
    expect((await read(`uid=mv.twice,ou=people,${suffix()}`, ['mail'])).mail).toEqual(['a@example.com', 'b@example.com']);
    await connector.update(account.accountId, { email: ['c@example.com', 'c@example.com', 'a@example.com'] });
    expect((await read(`uid=mv.twice,ou=people,${suffix()}`, ['mail'])).mail).toEqual(['a@example.com', 'c@example.com']);
    const writes: string[] = [];
    pool.hook = async (op, _args, send) => {
      writes.push(op);
      return send();
    };
    try {
      await connector.update(account.accountId, { email: ['a@example.com', 'c@example.com', 'c@example.com'] });
    } finally {
      pool.hook = undefined;
    }
    expect(writes).toEqual([]);
  });

  it('empty strings remove the attribute (never an empty value), on create and update', async () => {
    const { connector } = hooked({ attributes: { email: 'mail', title: 'title' } });
    const account = await connector.create({ attributes: { uid: 'mv.empty', email: '', title: 'Lead' }, enabled: true });
    await connector.update(account.accountId, { title: ['', ''] });
    expect(await read(`uid=mv.empty,ou=people,${suffix()}`, ['mail', 'title'])).toEqual({ mail: [], title: [] });
    expect((await connector.get(account.accountId))?.attributes).toEqual({ uid: 'mv.empty' });
  });
});

describe('posixAccount', () => {
  it.each(['Zoë', 'Łukasz', '李'])('a non-ASCII uid (%s) is provisioned: homeDirectory (IA5) falls back to the uidNumber', async (uid) => {
    const { connector } = hooked({ posix: { uidNumber: { min: 43000, max: 43999 }, gidNumber: 100 } });
    const account = await connector.create({ attributes: { uid }, enabled: true });
    expect(account.attributes.uid).toBe(uid);
    const [dn = ''] = await dnsOf(`(entryUUID=${account.accountId})`);
    const entry = await read(dn, ['uidNumber', 'homeDirectory']);
    expect(entry.homeDirectory).toEqual([`/home/${entry.uidNumber?.[0] ?? ''}`]);
    expect(Number(entry.uidNumber?.[0])).toBeGreaterThanOrEqual(43000);
  });

  it.each(['..', 'px13/.ssh'])('a uid (%j) that would make the home a path elsewhere gets the uidNumber home', async (uid) => {
    const { connector } = hooked({ posix: { uidNumber: { min: 43000, max: 43999 }, gidNumber: 100 } });
    const account = await connector.create({ attributes: { uid }, enabled: true });
    const [dn = ''] = await dnsOf(`(entryUUID=${account.accountId})`);
    const entry = await read(dn, ['uidNumber', 'homeDirectory']);
    expect(entry.homeDirectory).toEqual([`/home/${entry.uidNumber?.[0] ?? ''}`]);
  });

  it('an ASCII uid keeps the templated home', async () => {
    const { connector } = hooked({ posix: { uidNumber: { min: 43000, max: 43999 }, gidNumber: 100 } });
    await connector.create({ attributes: { uid: 'px.ascii' }, enabled: true });
    expect((await read(`uid=px.ascii,ou=people,${suffix()}`, ['homeDirectory'])).homeDirectory).toEqual(['/home/px.ascii']);
  });

  it('a uidNumber a posixAccount outside users.base holds (a service account) is never handed out', async () => {
    const s = suffix();
    await fixture.admin.add(`ou=services,${s}`, { objectClass: ['organizationalUnit'], ou: 'services' });
    await fixture.admin.add(`uid=svc13,ou=services,${s}`, { objectClass: ['inetOrgPerson', 'posixAccount'], uid: 'svc13', cn: 'svc13', sn: 'svc13', uidNumber: '44000', gidNumber: '100', homeDirectory: '/srv' });
    const { connector } = hooked({ base: `ou=people,${s}`, posix: { uidNumber: { min: 44000, max: 44999 }, gidNumber: 100 } }, {},
      { strategy: 'attribute', attribute: 'pwdAccountLockedTime', value: '000001010000Z' });
    await connector.create({ attributes: { uid: 'px.svc' }, enabled: true });
    expect((await read(`uid=px.svc,ou=people,${s}`, ['uidNumber'])).uidNumber).toEqual(['44001']);
  });
});

describe('movers', () => {
  it('the DN template takes the value in the RDN when the RDN attribute has several (a move keeps the name)', async () => {
    const s = suffix();
    const { connector } = hooked({ dn: `cn={fullName},ou={department},ou=people,${s}`, createOUs: true, attributes: { fullName: 'cn', department: 'departmentNumber' }, defaults: { sn: '{uid}' } });
    const account = await connector.create({ attributes: { uid: 'mo.multi', fullName: 'Zeta Person', department: 'MoA' }, enabled: true });
    await fixture.admin.modify(`cn=Zeta Person,ou=MoA,ou=people,${s}`, new Change({ operation: 'add', modification: new Attribute({ type: 'cn', values: ['Alpha Alias'] }) }));
    for (const department of ['MoB', 'MoC', 'MoD']) await connector.update(account.accountId, { department });
    expect(await dnsOf('(uid=mo.multi)')).toEqual([`cn=Zeta Person,ou=MoD,ou=people,${s}`]);
    await connector.setEnabled(account.accountId, false);
    await fixture.admin.modify(`cn=Zeta Person,ou=disabled,${s}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'cn', values: ['Alpha Alias', 'Zeta Person'] }) }));
    await connector.setEnabled(account.accountId, true);
    expect(await dnsOf('(uid=mo.multi)')).toEqual([`cn=Zeta Person,ou=MoD,ou=people,${s}`]);
  });

  it('a move to an OU that does not exist yet, with other attributes changed and one cleared in the same update, keeps the groups', async () => {
    const s = suffix();
    const { connector } = hooked({ dn: `uid={uid},ou={department},ou=people,${s}`, createOUs: true, attributes: { email: 'mail', department: 'departmentNumber', title: 'title' } });
    const account = await connector.create({ attributes: { uid: 'mo.ou', department: 'Sales', title: 'A', email: 'mo@example.com' }, enabled: true });
    await connector.grant(account.accountId, 'mo-grp');
    await connector.update(account.accountId, { department: 'R&D, Europe', title: 'B', email: '' });
    const [moved = '', ...others] = await dnsOf('(uid=mo.ou)');
    expect(others).toEqual([]);
    expect(sameDn(moved, `uid=mo.ou,ou=R&D\\, Europe,ou=people,${s}`)).toBe(true);
    expect((await read(`ou=R&D\\, Europe,ou=people,${s}`, ['ou'])).ou).toEqual(['R&D, Europe']);
    expect(await connector.get(account.accountId)).toMatchObject({ attributes: { uid: 'mo.ou', department: 'R&D, Europe', title: 'B' }, entitlements: ['mo-grp'] });
    await connector.update(account.accountId, { uid: 'mo.ou2', department: 'Ops' });
    expect((await read(`cn=mo-grp,ou=groups,${s}`, ['member'])).member).toEqual([`uid=mo.ou2,ou=Ops,ou=people,${s}`]);
  });
});

describe('renames that change only the case of the DN', () => {
  it.each(['groupOfNames', 'posixGroup'])('%s: uid jsmith -> JSmith renames the entry to uid=JSmith, keeping id and groups', async (objectClass) => {
    const s = suffix();
    const tag = objectClass === 'posixGroup' ? 'cp' : 'cn';
    if (objectClass === 'posixGroup') await fixture.admin.add(`cn=${tag}-grp,ou=groups,${s}`, { objectClass: ['top', 'posixGroup'], cn: `${tag}-grp`, gidNumber: '9302' });
    const { connector } = hooked({}, { objectClass, create: objectClass !== 'posixGroup' });
    const account = await connector.create({ attributes: { uid: `${tag}.jsmith` }, enabled: true });
    await connector.grant(account.accountId, `${tag}-grp`);
    await connector.update(account.accountId, { uid: `${tag}.JSmith` });
    expect(await dnsOf(`(uid=${tag}.jsmith)`)).toEqual([`uid=${tag}.JSmith,ou=people,${s}`]);
    expect(await connector.get(account.accountId)).toMatchObject({ attributes: { uid: `${tag}.JSmith` }, entitlements: [`${tag}-grp`] });
    const attribute = objectClass === 'posixGroup' ? 'memberUid' : 'member';
    const held = (await read(`cn=${tag}-grp,ou=groups,${s}`, [attribute]))[attribute] ?? [];
    expect(held.map((v) => v.toLowerCase())).toEqual([objectClass === 'posixGroup' ? `${tag}.jsmith` : `uid=${tag}.jsmith,ou=people,${s}`]);
    if (objectClass === 'posixGroup') expect(held).toEqual([`${tag}.JSmith`]);
  });

  it('an entry whose DN the server spells with other escaping is not renamed by an update of nothing', async () => {
    const s = suffix();
    await fixture.admin.add(`uid=Smith\\, J13,ou=people,${s}`, { objectClass: ['inetOrgPerson'], uid: 'Smith, J13', cn: 'x', sn: 'x' });
    const { connector, pool } = hooked();
    const account = await connector.create({ attributes: { uid: 'Smith, J13' }, enabled: true });
    const writes: string[] = [];
    pool.hook = async (op, _args, send) => {
      writes.push(op);
      return send();
    };
    try {
      await connector.update(account.accountId, { uid: 'Smith, J13' });
    } finally {
      pool.hook = undefined;
    }
    expect(writes).toEqual([]);
  });
});

describe('leavers and members with escaped names', () => {
  it('disabled by a move, then deleted: the entry is gone from the disabled OU and from its groups, the peer stays', async () => {
    const s = suffix();
    const { connector } = hooked();
    const account = await connector.create({ attributes: { uid: 'lv.gone' }, enabled: true });
    const peer = await connector.create({ attributes: { uid: 'lv.peer' }, enabled: true });
    await connector.grant(account.accountId, 'lv-grp');
    await connector.grant(peer.accountId, 'lv-grp');
    await connector.setEnabled(account.accountId, false);
    expect(await dnsOf('(uid=lv.gone)')).toEqual([`uid=lv.gone,ou=disabled,${s}`]);
    await connector.delete(account.accountId);
    expect(await connector.get(account.accountId)).toBeUndefined();
    expect(await dnsOf('(uid=lv.gone)')).toEqual([]);
    expect((await read(`cn=lv-grp,ou=groups,${s}`, ['member'])).member).toEqual([`uid=lv.peer,ou=people,${s}`]);
  });

  it.each(['#lv.hash', 'lv,comma', 'lv+plus', 'Zoë Ł', "lv#'01'B", 'lv=eq', 'lv trail '])('groupOfUniqueNames: %j is granted, read back and revoked; the last one out leaves the placeholder', async (uid) => {
    const { connector } = hooked({}, { objectClass: 'groupOfUniqueNames' });
    const account = await connector.create({ attributes: { uid }, enabled: true });
    await connector.grant(account.accountId, 'lv-unique');
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['lv-unique']);
    await connector.revoke(account.accountId, 'lv-unique');
    expect((await connector.get(account.accountId))?.entitlements).toEqual([]);
    expect((await read(`cn=lv-unique,ou=groups,${suffix()}`, ['uniqueMember'])).uniqueMember).toEqual([`cn=lv-unique,ou=groups,${suffix()}`]);
  });

  it('a disable (move) whose disabled OU does not exist fails as target.rejected naming it (not target.not_found: the account is there), and nothing moves', async () => {
    const s = suffix();
    const { connector } = hooked({}, {}, { strategy: 'move', ou: `ou=leavers13,${s}` });
    const account = await connector.create({ attributes: { uid: 'lv.nowhere' }, enabled: true });
    const error = await connector.setEnabled(account.accountId, false).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'target.rejected', retryable: false });
    expect((error as Error).message).toContain('ou=leavers13');
    expect(await connector.get(account.accountId)).toMatchObject({ enabled: true });
    expect(await dnsOf('(uid=lv.nowhere)')).toEqual([`uid=lv.nowhere,ou=people,${s}`]);
  });
});
