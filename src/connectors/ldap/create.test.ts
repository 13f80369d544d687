import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type RunningSlapd } from '../../../test/support/slapd.js';
import { silentLogger } from '../../core/log.js';
import { ClientPool, type DirectoryClient } from '../directory/pool.js';
import { PostReadControl } from '../directory/post-read.js';
import { ldapConnectionSchema } from './config.js';
import { LdapConnector } from './ldap-connector.js';

/** A pool that counts the LDAP operations it carries (one `use` is one request). */
class CountingPool extends ClientPool {
  operations = 0;
  override use<T>(work: (client: DirectoryClient) => Promise<T>): Promise<T> {
    this.operations += 1;
    return super.use(work);
  }
}

let slapd: RunningSlapd;
let pool: CountingPool;
let connector: LdapConnector;

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
  const config = ldapConnectionSchema.parse({
    url: slapd.url, bindDN: slapd.bindDN, password: slapd.password,
    users: { base: slapd.suffix, dn: `uid={uid},ou=people,${slapd.suffix}`, key: 'uid', attributes: { email: 'mail' }, defaults: { cn: '{uid}', sn: '{uid}' } },
    disable: { strategy: 'attribute', attribute: 'description', value: 'disabled' },
  });
  pool = new CountingPool({ url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, startTLS: false, tls: undefined, size: 2, timeoutMs: 5000, connectTimeoutMs: 5000 });
  connector = new LdapConnector(pool, config, { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
});

afterAll(async () => {
  await connector?.close();
  await slapd?.stop();
});

describe('ldap create: one round trip', () => {
  it('slapd answers the Post-Read control with the new entry and its entryUUID', async () => {
    const control = new PostReadControl(['entryUUID', 'uid']);
    await pool.use((c) => c.add(`uid=pr.probe,ou=people,${slapd.suffix}`, { objectClass: ['inetOrgPerson'], uid: ['pr.probe'], cn: ['x'], sn: ['x'] }, control));
    expect(control.entry?.dn).toBe(`uid=pr.probe,ou=people,${slapd.suffix}`);
    expect(control.entry?.uid).toBe('pr.probe');
    expect(String(control.entry?.entryUUID)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it('creates a new account with a single LDAP operation; the account id is the entryUUID', async () => {
    const before = pool.operations;
    const created = await connector.create({ attributes: { uid: 'rt.alice', email: 'alice@example.com' }, enabled: true });
    expect(pool.operations - before).toBe(1);
    expect(created.accountId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.attributes).toMatchObject({ uid: 'rt.alice', email: 'alice@example.com' });
    expect(created.enabled).toBe(true);
    const read = await connector.get(created.accountId);
    expect(read?.attributes).toMatchObject({ uid: 'rt.alice', email: 'alice@example.com' });
  });

  it('a create on an existing key adopts the entry and brings it in line (idempotent)', async () => {
    const first = await connector.create({ attributes: { uid: 'rt.bob', email: 'bob@example.com' }, enabled: true });
    const second = await connector.create({ attributes: { uid: 'rt.bob', email: 'bob@new.example.com' }, enabled: false });
    expect(second.accountId).toBe(first.accountId);
    expect(second.attributes).toMatchObject({ email: 'bob@new.example.com' });
    expect(second.enabled).toBe(false);
    const all: string[] = [];
    for await (const account of connector.list()) if (account.attributes.uid === 'rt.bob') all.push(account.accountId);
    expect(all).toEqual([first.accountId]);
  });

  it('refuses a create whose DN is held by an entry that is not an account', async () => {
    await pool.use((c) => c.add(`uid=rt.device,ou=people,${slapd.suffix}`, { objectClass: ['account'], uid: ['rt.device'] }));
    await expect(connector.create({ attributes: { uid: 'rt.device' }, enabled: true })).rejects.toMatchObject({ code: 'target.conflict' });
  });

  it('concurrent creates of one key make one entry', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => connector.create({ attributes: { uid: 'rt.carol', email: 'c@example.com' }, enabled: true })));
    expect(new Set(results.map((r) => r.accountId)).size).toBe(1);
  });
});
