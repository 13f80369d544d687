import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { silentLogger } from '../../core/log.js';
import { ClientPool } from '../directory/pool.js';
import { ldapConnectionSchema } from './config.js';
import { LdapConnector } from './ldap-connector.js';

let slapd: RunningSlapd;
const pools: ClientPool[] = [];
const connectors: LdapConnector[] = [];

function make(users: Record<string, unknown>, extra: Record<string, unknown> = {}): { pool: ClientPool; connector: LdapConnector } {
  const config = ldapConnectionSchema.parse({ url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, users, ...extra });
  const pool = new ClientPool({ url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, tls: undefined, size: 2, timeoutMs: 5000, connectTimeoutMs: 5000 });
  const connector = new LdapConnector(pool, config, { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
  pools.push(pool);
  connectors.push(connector);
  return { pool, connector };
}

async function stored(pool: ClientPool, dn: string, attributes: string[]): Promise<Record<string, unknown>> {
  const { searchEntries } = await pool.use((c) => c.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes }));
  return searchEntries[0] ?? {};
}

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
});

afterAll(async () => {
  for (const c of connectors) await c.close();
  await slapd?.stop();
});

describe('ldap posix create (review5)', () => {
  it('a homeDirectory / loginShell the target maps from a Roster attribute is written as mapped, not replaced by the posix template', async () => {
    const { pool, connector } = make({
      base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=m,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      attributes: { home: 'homeDirectory', shell: 'loginShell' }, defaults: { cn: '{uid}', sn: '{uid}' },
      posix: { uidNumber: { min: 20000, max: 20999 }, gidNumber: 100, loginShell: '/bin/bash' },
    });
    const created = await connector.create({ attributes: { uid: 'm.home', home: '/srv/home/m.home', shell: '/bin/zsh' }, enabled: true });
    const entry = await stored(pool, `uid=m.home,ou=m,ou=people,${slapd.suffix}`, ['homeDirectory', 'loginShell']);
    expect({ homeDirectory: entry.homeDirectory, loginShell: entry.loginShell }).toEqual({ homeDirectory: '/srv/home/m.home', loginShell: '/bin/zsh' });
    expect(created.attributes).toMatchObject({ home: '/srv/home/m.home', shell: '/bin/zsh' });
  });

  it('a key mapped to an alias of uid (userid) makes a posix entry with one uid, not a refused add', async () => {
    const { pool, connector } = make({
      base: `ou=people,${slapd.suffix}`, dn: `uid={login},ou=a,ou=people,${slapd.suffix}`, key: 'login', createOUs: true,
      attributes: { login: 'userid' }, defaults: { cn: '{login}', sn: '{login}' },
      posix: { uidNumber: { min: 21000, max: 21999 }, gidNumber: 100 },
    });
    await connector.create({ attributes: { login: 'a.alias' }, enabled: true });
    const entry = await stored(pool, `uid=a.alias,ou=a,ou=people,${slapd.suffix}`, ['uid', 'uidNumber']);
    expect(entry.uid).toBe('a.alias');
  });

  it('a full range is an error naming it, without a loop', async () => {
    const { connector } = make({
      base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=f,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      defaults: { cn: '{uid}', sn: '{uid}' }, posix: { uidNumber: { min: 22000, max: 22001 }, gidNumber: 100 },
    });
    await connector.create({ attributes: { uid: 'f.one' }, enabled: true });
    await connector.create({ attributes: { uid: 'f.two' }, enabled: true });
    await expect(connector.create({ attributes: { uid: 'f.three' }, enabled: true })).rejects.toThrow(/no free uidNumber left in 22000-22001/);
  });

  it('a retried create finds its entry: adopted, same uidNumber, no duplicate', async () => {
    const { pool, connector } = make({
      base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=r,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      attributes: { employeeId: 'employeeNumber' }, defaults: { cn: '{uid}', sn: '{uid}' }, posix: { uidNumber: { min: 23000, max: 23999 }, gidNumber: 100 },
    });
    const first = await connector.create({ attributes: { uid: 'r.one', employeeId: 'E1' }, enabled: true });
    const again = await connector.create({ attributes: { uid: 'r.one', employeeId: 'E1' }, enabled: true });
    expect(again.accountId).toBe(first.accountId);
    const entry = await stored(pool, `uid=r.one,ou=r,ou=people,${slapd.suffix}`, ['uidNumber']);
    expect(entry.uidNumber).toBe('23000');
    const other = await connector.create({ attributes: { uid: 'r.two', employeeId: 'E2' }, enabled: true });
    expect(other.accountId).not.toBe(first.accountId);
    await expect(connector.create({ attributes: { uid: 'r.one', employeeId: 'E9' }, enabled: true })).rejects.toMatchObject({ code: 'target.conflict' });
  });

  it('two processes creating posix accounts at once: no uidNumber twice', async () => {
    const users = {
      base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=c,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      defaults: { cn: '{uid}', sn: '{uid}' }, posix: { uidNumber: { min: 24000, max: 24999 }, gidNumber: 100 },
    };
    const a = make(users);
    const b = make(users);
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => a.connector.create({ attributes: { uid: `c.a${i}` }, enabled: true })),
      ...Array.from({ length: 40 }, (_, i) => b.connector.create({ attributes: { uid: `c.b${i}` }, enabled: true })),
    ]);
    const { searchEntries } = await a.pool.use((c) => c.search(`ou=c,ou=people,${slapd.suffix}`, { scope: 'one', filter: '(uidNumber=*)', attributes: ['uidNumber'] }));
    const numbers = searchEntries.map((e) => String(e.uidNumber));
    expect(numbers.length).toBe(80);
    expect(new Set(numbers).size).toBe(80);
  });
});

describe('ldap posix create, two processes one create at a time each (review5)', () => {
  it('two processes each creating one account after another never hand out one uidNumber twice', async () => {
    const users = {
      base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=s,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      defaults: { cn: '{uid}', sn: '{uid}' }, posix: { uidNumber: { min: 25000, max: 25999 }, gidNumber: 100 },
    };
    const a = make(users);
    const b = make(users);
    const run = async (connector: LdapConnector, prefix: string): Promise<void> => {
      for (let i = 0; i < 20; i++) await connector.create({ attributes: { uid: `${prefix}${i}` }, enabled: true });
    };
    await Promise.all([run(a.connector, 's.a'), run(b.connector, 's.b')]);
    const { searchEntries } = await a.pool.use((c) => c.search(`ou=s,ou=people,${slapd.suffix}`, { scope: 'one', filter: '(uidNumber=*)', attributes: ['uidNumber'] }));
    const numbers = searchEntries.map((e) => String(e.uidNumber));
    expect(numbers.length).toBe(40);
    expect(40 - new Set(numbers).size).toBe(0);
  });
});
