import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import type { Connector } from '../../src/connectors/types.js';
import { peopleTarget, useSlapd, type TargetOverrides } from '../support/slapd-fixture.js';
import { startSlapd } from '../support/slapd.js';

const fixture = useSlapd();

const members = fixture.members;

function connect(overrides: TargetOverrides = {}): Connector {
  return fixture.connect(peopleTarget(fixture.slapd.suffix, overrides));
}

async function all(connector: Connector) {
  const accounts = [];
  for await (const account of connector.list()) accounts.push(account);
  return accounts;
}

describe('ldap connector: reading back what the target writes', () => {
  it('reads back every written attribute (an alias under the name slapd answers with), never a password', async () => {
    const s = fixture.slapd.suffix;
    const connector = fixture.connect({
      users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { lastName: 'surname', secret: 'userPassword' }, defaults: { cn: '{uid}' } },
    }, { attributes: ['uid', 'lastName', 'title', 'secret'] });
    const account = await connector.create({ attributes: { uid: 'rb.one', lastName: 'One', title: 'Engineer', secret: 'Initial-Passw0rd' }, enabled: true });
    const read = await connector.get(account.accountId);
    expect(read?.attributes).toEqual({ uid: 'rb.one', lastName: 'One', title: 'Engineer' });
    expect([...(connector.capabilities.readBack ?? [])].sort()).toEqual(['lastName', 'title', 'uid']);
    // The password is in the directory all the same.
    const { searchEntries } = await fixture.admin.search(`uid=rb.one,ou=people,${s}`, { scope: 'base', attributes: ['userPassword'] });
    expect(String(searchEntries[0]?.userPassword)).toBe('Initial-Passw0rd');
  });
});

describe('ldap connector: aliases the server knows', () => {
  it('an attribute written under an alias outside the built-in table is read back under the name slapd answers with', async () => {
    const s = fixture.slapd.suffix;
    const connector = fixture.connect({
      // extensibleObject allows any attribute: friendlyCountryName is cosine's alias of co.
      users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', objectClasses: ['inetOrgPerson', 'extensibleObject'], attributes: { country: 'friendlyCountryName' }, defaults: { cn: '{uid}', sn: '{uid}' } },
    }, { attributes: ['uid', 'country'] });
    const account = await connector.create({ attributes: { uid: 'alias.one', country: 'Wales' }, enabled: true });
    expect((await connector.get(account.accountId))?.attributes).toEqual({ uid: 'alias.one', country: 'Wales' });
    expect((await all(connector)).find((a) => a.accountId === account.accountId)?.attributes.country).toBe('Wales');
    const { searchEntries } = await fixture.admin.search(`uid=alias.one,ou=people,${s}`, { scope: 'base', attributes: ['co'] });
    expect(searchEntries[0]?.co).toBe('Wales');
  });
});

describe('ldap connector against slapd', () => {
  it('a mover whose department changes is moved with modify DN and keeps its groups and its id', async () => {
    const connector = connect({ users: { dn: `uid={uid},ou={department},ou=people,${fixture.slapd.suffix}`, createOUs: true } });
    const joiner = await connector.create({ attributes: { uid: 'm.mover', email: 'm@example.com', department: 'Sales' }, enabled: true });
    await connector.grant(joiner.accountId, 'all-staff');
    await connector.grant(joiner.accountId, 'sales-team');
    const peer = await connector.create({ attributes: { uid: 'm.peer', email: 'p@example.com', department: 'Sales' }, enabled: true });
    await connector.grant(peer.accountId, 'all-staff');

    await connector.update(joiner.accountId, { department: 'Engineering' });

    const moved = await connector.get(joiner.accountId);
    expect(moved?.attributes.department).toBe('Engineering');
    expect(moved?.entitlements).toEqual(['all-staff', 'sales-team']);
    const listed = (await all(connector)).find((a) => a.accountId === joiner.accountId);
    expect(listed?.entitlements).toEqual(['all-staff', 'sales-team']);
    // The group now names the new DN (refint), so a fresh account at the old DN inherits nothing.
    const again = await connector.create({ attributes: { uid: 'm.mover2', email: 'm2@example.com', department: 'Sales' }, enabled: true });
    expect(again.entitlements).toEqual([]);
    // Disabled (moved to ou=disabled) and enabled again: back under its department OU, groups intact.
    await connector.setEnabled(joiner.accountId, false);
    expect((await connector.get(joiner.accountId))?.enabled).toBe(false);
    await connector.setEnabled(joiner.accountId, true);
    const back = await connector.get(joiner.accountId);
    expect(back?.enabled).toBe(true);
    expect(back?.entitlements).toEqual(['all-staff', 'sales-team']);
  });

  it('provisions Unicode and RFC 4514 special-character names exactly', async () => {
    const connector = connect();
    const names = ['Zoë', 'Łukasz', '李', 'Smith, John', ' lead', 'trail ', '#hash', 'a+b', 'say "hi"', 'back\\', '<x>;=y', 'nul\0byte'];
    const ids = new Map<string, string>();
    for (const uid of names) ids.set(uid, (await connector.create({ attributes: { uid, email: `${names.indexOf(uid)}@example.com` }, enabled: true })).accountId);
    for (const uid of names) {
      const account = await connector.get(ids.get(uid) ?? '');
      expect(account?.attributes.uid).toBe(uid);
    }
    // Idempotent: creating again finds each one by its (escaped) key.
    for (const uid of names) expect((await connector.create({ attributes: { uid }, enabled: true })).accountId).toBe(ids.get(uid));
    const weirdGroup = 'R&D, "core" <team>';
    await connector.grant(ids.get('Zoë') ?? '', weirdGroup);
    expect((await connector.get(ids.get('Zoë') ?? ''))?.entitlements).toEqual([weirdGroup]);
  });

  it('an HR value crafted as an LDAP injection is stored as data and matches nothing else', async () => {
    const connector = connect();
    const victim = await connector.create({ attributes: { uid: 'i.victim', email: 'victim@example.com' }, enabled: true });
    const evil = '*)(uid=*))(|(uid=*';
    const created = await connector.create({ attributes: { uid: evil, email: 'evil@example.com' }, enabled: false });
    expect(created.accountId).not.toBe(victim.accountId);
    expect(created.attributes.uid).toBe(evil);
    expect(created.enabled).toBe(false);
    const victimAfter = await connector.get(victim.accountId);
    expect(victimAfter?.attributes.email).toBe('victim@example.com');
    expect(victimAfter?.enabled).toBe(true);
    await expect(connector.get('*')).resolves.toBeUndefined();
    await expect(connector.get(`${victim.accountId})(entryUUID=*`)).resolves.toBeUndefined();
    const error = await connector.grant(victim.accountId, 'cn=x)(member=*,ou=nowhere').catch((e: unknown) => e);
    expect(isRosterError(error)).toBe(true);
  });

  it('the attribute disable strategy sets and clears pwdAccountLockedTime', async () => {
    const connector = connect({ disable: { strategy: 'attribute', attribute: 'pwdAccountLockedTime', value: '000001010000Z' } });
    const account = await connector.create({ attributes: { uid: 'a.locked', email: 'l@example.com' }, enabled: false });
    expect(account.enabled).toBe(false);
    await connector.setEnabled(account.accountId, true);
    expect((await connector.get(account.accountId))?.enabled).toBe(true);
    await connector.setEnabled(account.accountId, false);
    expect((await connector.get(account.accountId))?.enabled).toBe(false);
  });

  it('posixAccount: uidNumbers are allocated from the range, distinct under concurrency', async () => {
    const connector = connect({
      users: { dn: `uid={uid},ou=people,${fixture.slapd.suffix}`, attributes: { email: 'mail', uidNumber: 'uidNumber', home: 'homeDirectory' }, posix: { uidNumber: { min: 20000, max: 20999 }, gidNumber: 100 } },
    });
    const created = await Promise.all(['x.one', 'x.two', 'x.three'].map((uid) => connector.create({ attributes: { uid }, enabled: true })));
    const numbers = created.map((a) => Number(a.attributes.uidNumber)).sort();
    expect(numbers).toEqual([20000, 20001, 20002]);
    expect(created.map((a) => a.attributes.home).sort()).toEqual(['/home/x.one', '/home/x.three', '/home/x.two']);
    // Another connector (a restart) reads the range and goes on above the highest in use.
    const restarted = connect({ users: { dn: `uid={uid},ou=people,${fixture.slapd.suffix}`, attributes: { uidNumber: 'uidNumber' }, posix: { uidNumber: { min: 20000, max: 20999 }, gidNumber: 100 } } });
    expect((await restarted.create({ attributes: { uid: 'x.four' }, enabled: true })).attributes.uidNumber).toBe('20003');
  });

  it('posixAccount: a number something outside Roster took is skipped; a full range is a clear error', async () => {
    const posix = (min: number, max: number) => connect({
      users: { dn: `uid={uid},ou=people,${fixture.slapd.suffix}`, attributes: { uidNumber: 'uidNumber' }, posix: { uidNumber: { min, max }, gidNumber: 100 } },
    });
    const connector = posix(22000, 22999);
    const number = async (uid: string) => Number((await connector.create({ attributes: { uid }, enabled: true })).attributes.uidNumber);
    expect(await number('o.first')).toBe(22000);
    // Taken outside Roster, beyond the numbers already checked free.
    await fixture.admin.add(`uid=o.outside,ou=people,${fixture.slapd.suffix}`, {
      objectClass: ['inetOrgPerson', 'posixAccount'], uid: 'o.outside', cn: 'o.outside', sn: 'o.outside', uidNumber: '22100', gidNumber: '100', homeDirectory: '/home/o.outside',
    });
    const numbers: number[] = [];
    for (let i = 0; i < 130; i++) numbers.push(await number(`o.n${i}`));
    expect(numbers).not.toContain(22100);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.every((n, i) => i === 0 || n > (numbers[i - 1] ?? 0))).toBe(true);
    expect(Math.max(...numbers)).toBeGreaterThan(22100);

    const small = posix(23000, 23001);
    await small.create({ attributes: { uid: 'f.one' }, enabled: true });
    await small.create({ attributes: { uid: 'f.two' }, enabled: true });
    const full = await small.create({ attributes: { uid: 'f.three' }, enabled: true }).catch((e: unknown) => e);
    expect(isRosterError(full, 'target.rejected')).toBe(true);
    expect((full as Error).message).toMatch(/no free uidNumber left in 23000-23001/);
  });

  it('posixAccount: two processes on one directory (serve and an operator\'s apply) never hand out the same uidNumber', async () => {
    // Two connectors are two processes in effect: each has its own allocator, and both take the block above the highest in use.
    const posix = () => connect({
      users: { dn: `uid={uid},ou=people,${fixture.slapd.suffix}`, attributes: { uidNumber: 'uidNumber' }, posix: { uidNumber: { min: 26000, max: 26999 }, gidNumber: 100 } },
    });
    const serve = posix();
    const apply = posix();
    const numbers: number[] = [];
    for (let i = 0; i < 10; i++) {
      for (const [name, connector] of [['s', serve], ['a', apply]] as const) {
        numbers.push(Number((await connector.create({ attributes: { uid: `p.${name}${i}` }, enabled: true })).attributes.uidNumber));
      }
    }
    expect(numbers).toHaveLength(20);
    expect(new Set(numbers).size).toBe(20);
    const { searchEntries } = await fixture.admin.search(fixture.slapd.suffix, { scope: 'sub', filter: '(&(uidNumber>=26000)(uidNumber<=26999))', attributes: ['uidNumber'] });
    expect(new Set(searchEntries.map((e) => String(e.uidNumber))).size).toBe(20);
    expect(numbers.every((n) => n >= 26000 && n <= 26999)).toBe(true);
  });

  it('posixAccount: a leaver kept in a disabled OU outside users.base keeps a uidNumber no joiner gets after a restart', async () => {
    const s = fixture.slapd.suffix;
    const posix = () => connect({
      users: { base: `ou=people,${s}`, dn: `uid={uid},ou=people,${s}`, attributes: { uidNumber: 'uidNumber' }, posix: { uidNumber: { min: 24000, max: 24999 }, gidNumber: 100 } },
      disable: { strategy: 'move', ou: `ou=disabled,${s}` },
    });
    const connector = posix();
    expect((await connector.create({ attributes: { uid: 'u.stays' }, enabled: true })).attributes.uidNumber).toBe('24000');
    const leaver = await connector.create({ attributes: { uid: 'u.leaver' }, enabled: true });
    expect(leaver.attributes.uidNumber).toBe('24001');
    await connector.setEnabled(leaver.accountId, false);
    const { searchEntries } = await fixture.admin.search(`ou=disabled,${s}`, { scope: 'one', filter: '(uid=u.leaver)', attributes: ['uidNumber'] });
    expect(searchEntries.map((e) => String(e.uidNumber))).toEqual(['24001']);
    // A restart: the range is read again, from ou=people and ou=disabled.
    const joiner = await posix().create({ attributes: { uid: 'u.joiner' }, enabled: true });
    expect(joiner.attributes.uidNumber).toBe('24002');
    expect((await posix().get(leaver.accountId))?.attributes.uidNumber).toBe('24001');
  });

  it('move: two leavers with the same RDN are both disabled (the second keyed by uid) and both enabled again, entries and groups intact', async () => {
    const s = fixture.slapd.suffix;
    const connector = connect({
      users: {
        dn: `cn={cn},ou={department},ou=people,${s}`, createOUs: true,
        attributes: { email: 'mail', department: 'departmentNumber', cn: 'cn', uidNumber: 'uidNumber' },
        posix: { uidNumber: { min: 25000, max: 25999 }, gidNumber: 100 },
      },
    });
    const john = (uid: string, department: string, enabled = true) => connector.create({ attributes: { uid, cn: 'John Smith', department }, enabled });
    const first = await john('j.smith1', 'Dup Sales');
    const second = await john('j.smith2', 'Dup Support');
    for (const [account, group] of [[first, 'dup-sales'], [second, 'dup-support']] as const) {
      await connector.grant(account.accountId, group);
      await connector.grant(account.accountId, 'dup-all');
    }
    /** The entry by its entryUUID: DN (lower-cased), uid and uidNumber values. */
    const entry = async (uuid: string) => {
      const { searchEntries } = await fixture.admin.search(s, { scope: 'sub', filter: `(entryUUID=${uuid})`, attributes: ['uid', 'uidNumber'] });
      const found = searchEntries[0];
      return { dn: found?.dn.toLowerCase(), uid: [found?.uid ?? []].flat().map(String), uidNumber: found?.uidNumber };
    };

    await connector.setEnabled(first.accountId, false);
    await connector.setEnabled(second.accountId, false);
    expect(await entry(first.accountId)).toEqual({ dn: `cn=john smith,ou=disabled,${s}`, uid: ['j.smith1'], uidNumber: first.attributes.uidNumber });
    expect(await entry(second.accountId)).toEqual({ dn: `cn=john smith+uid=j.smith2,ou=disabled,${s}`, uid: ['j.smith2'], uidNumber: second.attributes.uidNumber });
    for (const [account, group] of [[first, 'dup-sales'], [second, 'dup-support']] as const) {
      expect(await connector.get(account.accountId)).toMatchObject({ enabled: false, entitlements: ['dup-all', group] });
    }
    // A third John Smith created disabled is keyed too; an update to a keyed leaver leaves it where it is.
    const third = await john('j.smith3', 'Dup Sales', false);
    expect((await entry(third.accountId)).dn).toBe(`cn=john smith+uid=j.smith3,ou=disabled,${s}`);
    await connector.update(second.accountId, { department: 'Dup Field', email: 'js2@example.com' });
    expect((await entry(second.accountId)).dn).toBe(`cn=john smith+uid=j.smith2,ou=disabled,${s}`);

    await connector.setEnabled(second.accountId, true);
    await connector.setEnabled(first.accountId, true);
    expect(await entry(first.accountId)).toEqual({ dn: `cn=john smith,ou=dup sales,ou=people,${s}`, uid: ['j.smith1'], uidNumber: first.attributes.uidNumber });
    expect(await entry(second.accountId)).toEqual({ dn: `cn=john smith,ou=dup field,ou=people,${s}`, uid: ['j.smith2'], uidNumber: second.attributes.uidNumber });
    expect(await connector.get(first.accountId)).toMatchObject({ enabled: true, entitlements: ['dup-all', 'dup-sales'] });
    expect(await connector.get(second.accountId)).toMatchObject({ enabled: true, entitlements: ['dup-all', 'dup-support'], attributes: { email: 'js2@example.com' } });
    expect(await members('dup-all', 'member')).toEqual([`cn=john smith,ou=dup field,ou=people,${s}`, `cn=john smith,ou=dup sales,ou=people,${s}`]);
  });

  it('an account key two entries hold is a target.conflict naming both; nothing is created, and get/update by entryUUID touch only their entry', async () => {
    const s = fixture.slapd.suffix;
    const person = (uid: string, cn: string) => ({ objectClass: ['inetOrgPerson'], uid, cn, sn: cn });
    await fixture.admin.add(`ou=imported,ou=people,${s}`, { objectClass: ['organizationalUnit'], ou: 'imported' });
    // Under users.base twice, and once there and once in the disabled OU outside it.
    await fixture.admin.add(`uid=k.twice,ou=people,${s}`, person('k.twice', 'K Twice'));
    await fixture.admin.add(`cn=K Twice Copy,ou=imported,ou=people,${s}`, person('k.twice', 'K Twice Copy'));
    await fixture.admin.add(`uid=k.split,ou=people,${s}`, person('k.split', 'K Split'));
    await fixture.admin.add(`cn=K Split Old,ou=disabled,${s}`, person('k.split', 'K Split Old'));
    const byCn = connect({ users: { base: `ou=people,${s}`, dn: `cn={cn},ou=people,${s}`, attributes: { email: 'mail', cn: 'cn' } } });
    const byUid = connect({ users: { base: `ou=people,${s}` } });
    const cases = [
      [byCn, 'k.twice', `uid=k.twice,ou=people,${s}`, `cn=K Twice Copy,ou=imported,ou=people,${s}`],
      [byCn, 'k.split', `uid=k.split,ou=people,${s}`, `cn=K Split Old,ou=disabled,${s}`],
      [byUid, 'k.twice', `uid=k.twice,ou=people,${s}`, `cn=K Twice Copy,ou=imported,ou=people,${s}`],
    ] as const;
    for (const [connector, uid, one, other] of cases) {
      const error = await connector.create({ attributes: { uid, cn: 'K New', email: 'k@example.com' }, enabled: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'target.conflict', retryable: false });
      expect((error as Error).message).toContain(`create on corp-ldap: uid ${uid} is held by more than one entry`);
      expect((error as Error).message.toLowerCase()).toContain(one.toLowerCase());
      expect((error as Error).message.toLowerCase()).toContain(other.toLowerCase());
    }
    const { searchEntries: created } = await fixture.admin.search(s, { scope: 'sub', filter: '(|(cn=K New)(mail=k@example.com))', attributes: ['1.1'] });
    expect(created).toEqual([]);

    const copies = (await fixture.admin.search(`ou=people,${s}`, { scope: 'sub', filter: '(uid=k.twice)', attributes: ['entryUUID', 'mail'] })).searchEntries;
    const copy = copies.find((e) => e.dn.toLowerCase().includes('ou=imported'));
    await byCn.update(String(copy?.entryUUID), { email: 'copy@example.com' });
    expect((await byCn.get(String(copy?.entryUUID)))?.attributes).toMatchObject({ uid: 'k.twice', cn: 'K Twice Copy', email: 'copy@example.com' });
    const { searchEntries: original } = await fixture.admin.search(`uid=k.twice,ou=people,${s}`, { scope: 'base', attributes: ['mail'] });
    expect([original[0]?.mail ?? []].flat()).toEqual([]);
  });

  it('groupOfNames keeps a placeholder when its last member goes, and drops it on the next grant', async () => {
    const connector = connect({ groups: { placeholder: `cn=placeholder,${fixture.slapd.suffix}` } });
    const a = await connector.create({ attributes: { uid: 'g.only' }, enabled: true });
    await connector.grant(a.accountId, 'lonely');
    await connector.revoke(a.accountId, 'lonely');
    expect((await connector.get(a.accountId))?.entitlements).toEqual([]);
    await connector.grant(a.accountId, 'lonely');
    expect((await connector.get(a.accountId))?.entitlements).toEqual(['lonely']);
    await connector.delete(a.accountId);
    const again = await connector.create({ attributes: { uid: 'g.only' }, enabled: true });
    expect(again.entitlements).toEqual([]);
  });

  it.each([
    ['through modify DN', 'uid={uid}', 'pr'],
    ['through a uid update at the same DN', 'cn={cn}', 'pu'],
  ])('posixGroup: a uid change %s moves memberUid to the new uid in every group and touches no other member', async (_, rdn, prefix) => {
    const s = fixture.slapd.suffix;
    const connector = connect({
      users: { dn: `${rdn},ou=people,${s}`, attributes: { cn: 'cn' }, posix: { uidNumber: { min: 21000, max: 21999 }, gidNumber: 100 } },
      groups: { objectClass: 'posixGroup', create: false },
    });
    const groups = ['dev', 'ops', 'other'].map((name) => `${prefix}-${name}`);
    for (const [i, cn] of groups.entries()) {
      await fixture.admin.add(`cn=${cn},ou=groups,${s}`, { objectClass: ['top', 'posixGroup'], cn, gidNumber: String(6000 + i + (prefix === 'pr' ? 0 : 10)) });
    }
    const [dev = '', ops = '', other = ''] = groups;
    const mover = await connector.create({ attributes: { uid: `${prefix}.old`, cn: `${prefix} mover` }, enabled: true });
    const peer = await connector.create({ attributes: { uid: `${prefix}.peer`, cn: `${prefix} peer` }, enabled: true });
    for (const group of [dev, ops]) await connector.grant(mover.accountId, group);
    for (const group of [dev, other]) await connector.grant(peer.accountId, group);

    await connector.update(mover.accountId, { uid: `${prefix}.new` });

    const after = await connector.get(mover.accountId);
    expect(after?.attributes.uid).toBe(`${prefix}.new`);
    expect(after?.entitlements).toEqual([dev, ops]);
    expect(await members(dev, 'memberUid')).toEqual([`${prefix}.new`, `${prefix}.peer`]);
    expect(await members(ops, 'memberUid')).toEqual([`${prefix}.new`]);
    expect(await members(other, 'memberUid')).toEqual([`${prefix}.peer`]);
    expect((await connector.get(peer.accountId))?.entitlements).toEqual([dev, other]);
  });

  it.each(['groupOfNames', 'groupOfUniqueNames'])('%s: after a rename the entry is in exactly its groups, under its new DN only', async (objectClass) => {
    const s = fixture.slapd.suffix;
    const attribute = objectClass === 'groupOfNames' ? 'member' : 'uniqueMember';
    const tag = objectClass === 'groupOfNames' ? 'gn' : 'gu';
    const connector = connect({ groups: { objectClass, create: true } });
    const mover = await connector.create({ attributes: { uid: `${tag}.old` }, enabled: true });
    const peer = await connector.create({ attributes: { uid: `${tag}.peer` }, enabled: true });
    const [one, two] = [`${tag}-one`, `${tag}-two`];
    await connector.grant(mover.accountId, one);
    await connector.grant(mover.accountId, two);
    await connector.grant(peer.accountId, one);

    await connector.update(mover.accountId, { uid: `${tag}.new` });

    expect((await connector.get(mover.accountId))?.entitlements).toEqual([one, two]);
    const dn = (uid: string) => `uid=${uid},ou=people,${s}`.toLowerCase();
    expect(await members(one, attribute)).toEqual([dn(`${tag}.new`), dn(`${tag}.peer`)]);
    expect(await members(two, attribute)).toEqual([dn(`${tag}.new`)]);
  });

  it('strip-groups: disable removes every membership and sets the marker; enable clears the marker', async () => {
    const connector = connect({ disable: { strategy: 'strip-groups', attribute: 'pwdAccountLockedTime', value: '000001010000Z' } });
    const account = await connector.create({ attributes: { uid: 's.strip' }, enabled: true });
    const peer = await connector.create({ attributes: { uid: 's.peer' }, enabled: true });
    for (const group of ['strip-a', 'strip-b']) {
      await connector.grant(account.accountId, group);
      await connector.grant(peer.accountId, group);
    }
    await connector.setEnabled(account.accountId, false);
    expect(await connector.get(account.accountId)).toMatchObject({ enabled: false, entitlements: [] });
    expect((await connector.get(peer.accountId))?.entitlements).toEqual(['strip-a', 'strip-b']);
    await connector.setEnabled(account.accountId, true);
    // The connector only clears the marker: the executor grants back what the link still lists (see the engine test).
    expect(await connector.get(account.accountId)).toMatchObject({ enabled: true, entitlements: [] });
  });

  it('a directory that goes away is retryable target.unavailable; the pool reconnects when it is back', async () => {
    const other = await startSlapd({ randomPort: true });
    const port = Number(new URL(other.url).port);
    const connector = fixture.connect(
      { url: other.url, bindDN: other.bindDN, password: other.password, poolSize: 2, timeoutMs: 2000, users: { base: other.suffix, dn: `uid={uid},ou=people,${other.suffix}`, key: 'uid' } },
      { targetId: 'flaky' },
    );
    await connector.check();
    await connector.check();
    await other.stop();
    const down = await connector.check().catch((e: unknown) => e);
    expect(isRosterError(down, 'target.unavailable')).toBe(true);
    expect((down as { retryable: boolean }).retryable).toBe(true);
    const again = await startSlapd({ port });
    try {
      await connector.check();
      await connector.check();
    } finally {
      await again.stop();
    }
  });

  it('schema problems come back as target.rejected in plain words; a wrong password as target.unavailable', async () => {
    const connector = connect({ users: { defaults: {} } });
    const error = await connector.create({ attributes: { uid: 'no.sn' }, enabled: true }).catch((e: unknown) => e);
    expect(isRosterError(error, 'target.rejected')).toBe(true);
    expect((error as Error).message).toMatch(/object classes/);
    const bad = fixture.connect({ password: 'n0t-the-s3cret', users: { base: fixture.slapd.suffix, dn: 'uid={uid},ou=people', key: 'uid' } });
    const denied = await bad.check().catch((e: unknown) => e);
    expect(isRosterError(denied, 'target.unavailable')).toBe(true);
    expect((denied as Error).message).not.toContain('n0t-the-s3cret');
    expect((denied as Error).message).toMatch(/bind DN or password is wrong/);
  });
});
