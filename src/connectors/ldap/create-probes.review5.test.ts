import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { silentLogger } from '../../core/log.js';
import { ClientPool, type DirectoryClient } from '../directory/pool.js';
import { ldapConnectionSchema } from './config.js';
import { LdapConnector } from './ldap-connector.js';

let slapd: RunningSlapd;
const connectors: LdapConnector[] = [];

/** A pool whose adds go without request controls (a server that ignores the Post-Read control). */
class NoControlPool extends ClientPool {
  override use<T>(work: (client: DirectoryClient) => Promise<T>): Promise<T> {
    return super.use((client) => work(new Proxy(client, {
      get(target, name, receiver) {
        if (name === 'add') return (dn: string, attributes: never) => target.add(dn, attributes);
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    })));
  }
}

function make(users: Record<string, unknown>, extra: Record<string, unknown> = {}, Pool: typeof ClientPool = ClientPool): { pool: ClientPool; connector: LdapConnector } {
  const config = ldapConnectionSchema.parse({ url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, users, ...extra });
  const pool = new Pool({ url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, tls: undefined, size: 2, timeoutMs: 5000, connectTimeoutMs: 5000 });
  const connector = new LdapConnector(pool, config, { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
  connectors.push(connector);
  return { pool, connector };
}

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
});

afterAll(async () => {
  for (const c of connectors) await c.close();
  await slapd?.stop();
});

describe('ldap create probes (review5)', () => {
  it('keys with specials: created, then adopted by a second create (one entry)', async () => {
    const { connector } = make({
      base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=k,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      attributes: { employeeId: 'employeeNumber' }, defaults: { cn: '{uid} (x) $& {sn', sn: '{uid}\\*' }, posix: { uidNumber: { min: 30000, max: 30999 }, gidNumber: 100 },
    });
    const keys = ['k,a+b=c', 'k*', 'k(1)', 'k\\x', '#k', ' k ', 'k"q"<>;'];
    for (const [i, uid] of keys.entries()) {
      const first = await connector.create({ attributes: { uid, employeeId: `K${i}` }, enabled: true });
      const again = await connector.create({ attributes: { uid, employeeId: `K${i}` }, enabled: true });
      expect(again.accountId, uid).toBe(first.accountId);
      expect((await connector.get(first.accountId))?.attributes.uid, uid).toBe(uid);
    }
    let count = 0;
    for await (const account of connector.list()) if (keys.includes(String(account.attributes.uid))) count++;
    expect(count).toBe(keys.length);
  });

  it('without the Post-Read answer the create reads the entry back', async () => {
    const { connector } = make({
      base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=n,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      defaults: { cn: '{uid}', sn: '{uid}' }, posix: { uidNumber: { min: 31000, max: 31999 }, gidNumber: 100 },
    }, {}, NoControlPool);
    const created = await connector.create({ attributes: { uid: 'n.one' }, enabled: true });
    expect(created.accountId).toMatch(/^[0-9a-f]{8}-/);
    expect((await connector.get(created.accountId))?.attributes.uid).toBe('n.one');
  });

  it('a DN held by an entry with another key is refused, not adopted', async () => {
    const { pool, connector } = make({
      base: `ou=people,${slapd.suffix}`, dn: `cn={cn},ou=d,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      attributes: {}, defaults: { sn: '{cn}' }, posix: { uidNumber: { min: 32000, max: 32999 }, gidNumber: 100 },
    });
    const first = await connector.create({ attributes: { uid: 'd.smith1', cn: 'John Smith' }, enabled: true });
    await expect(connector.create({ attributes: { uid: 'd.smith2', cn: 'John Smith' }, enabled: true })).rejects.toMatchObject({ code: 'target.conflict' });
    const { searchEntries } = await pool.use((c) => c.search(`ou=d,ou=people,${slapd.suffix}`, { scope: 'one', filter: '(objectClass=*)', attributes: ['uid', 'entryUUID'] }));
    expect(searchEntries.map((e) => [e.uid, e.entryUUID])).toEqual([['d.smith1', first.accountId]]);
  });

  it('a missing parent with createOUs off fails (not retried); on, the OUs are made', async () => {
    const off = make({ base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou={dept},ou=people,${slapd.suffix}`, key: 'uid', attributes: { dept: 'departmentNumber' }, defaults: { cn: '{uid}', sn: '{uid}' } });
    const error = await off.connector.create({ attributes: { uid: 'p.off', dept: 'Sales, EMEA' }, enabled: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'target.not_found', retryable: false });
    const on = make({ base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou={dept},ou=x,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true, attributes: { dept: 'departmentNumber' }, defaults: { cn: '{uid}', sn: '{uid}' } });
    const created = await on.connector.create({ attributes: { uid: 'p.on', dept: 'Sales, EMEA+1' }, enabled: true });
    expect(created.accountId).toMatch(/^[0-9a-f]{8}-/);
  });

  it('turning users.posix on keeps the accounts made before it (a linked entry is still found; a create of its key adopts it)', async () => {
    const users = { base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=t,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      attributes: { employeeId: 'employeeNumber' }, defaults: { cn: '{uid}', sn: '{uid}' } };
    const before = make(users);
    const made = await before.connector.create({ attributes: { uid: 't.old', employeeId: 'T1' }, enabled: true });
    const after = make({ ...users, posix: { uidNumber: { min: 33000, max: 33999 }, gidNumber: 100 } });
    expect((await after.connector.get(made.accountId))?.accountId).toBe(made.accountId);
  });

  it('turning users.posix on: a create of a key held by a pre-posix entry provably the person\'s adopts it', async () => {
    const users = { base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=t,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      attributes: { employeeId: 'employeeNumber' }, defaults: { cn: '{uid}', sn: '{uid}' } };
    const before = make(users);
    const made = await before.connector.create({ attributes: { uid: 't.old2', employeeId: 'T2' }, enabled: true });
    const after = make({ ...users, posix: { uidNumber: { min: 34000, max: 34999 }, gidNumber: 100 } });
    const again = await after.connector.create({ attributes: { uid: 't.old2', employeeId: 'T2' }, enabled: true });
    expect(again.accountId).toBe(made.accountId);
  });

  it('an add whose reply is lost (applied, then the connection drops): the retry adopts it, one entry, one uidNumber', async () => {
    let drop = false;
    class LosingPool extends ClientPool {
      override use<T>(work: (client: DirectoryClient) => Promise<T>): Promise<T> {
        return super.use(async (client) => {
          const result = await work(client);
          if (drop) {
            drop = false;
            throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
          }
          return result;
        });
      }
    }
    const { pool, connector } = make({
      base: `ou=people,${slapd.suffix}`, dn: `uid={uid},ou=l,ou=people,${slapd.suffix}`, key: 'uid', createOUs: true,
      attributes: { employeeId: 'employeeNumber' }, defaults: { cn: '{uid}', sn: '{uid}' }, posix: { uidNumber: { min: 35000, max: 35999 }, gidNumber: 100 },
    }, {}, LosingPool);
    await connector.create({ attributes: { uid: 'l.warm', employeeId: 'L0' }, enabled: true });
    await connector.check();
    const realAdd = pool.use.bind(pool);
    let adds = 0;
    pool.use = (<T>(work: (client: DirectoryClient) => Promise<T>): Promise<T> => realAdd((client) => work(new Proxy(client, {
      get(target, name, receiver) {
        if (name === 'add') return (...args: Parameters<DirectoryClient['add']>) => { adds++; if (adds === 1) drop = true; return target.add(...args); };
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    })))) as typeof pool.use;
    const created = await connector.create({ attributes: { uid: 'l.one', employeeId: 'L1' }, enabled: true });
    expect(adds).toBe(2);
    const { searchEntries } = await pool.use((c) => c.search(`ou=l,ou=people,${slapd.suffix}`, { scope: 'one', filter: '(uid=l.one)', attributes: ['uidNumber', 'entryUUID'] }));
    expect(searchEntries.map((e) => [e.entryUUID, e.uidNumber])).toEqual([[created.accountId, '35001']]);
  });
});
