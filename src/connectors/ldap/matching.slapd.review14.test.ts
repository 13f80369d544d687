import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { silentLogger } from '../../core/log.js';
import { ClientPool, type DirectoryClient } from '../directory/pool.js';
import { ldapConnectionSchema } from './config.js';
import { LdapConnector } from './ldap-connector.js';

/**
 * Values equal under their attribute's EQUALITY rule, against a real slapd:
 * departmentNumber is caseIgnoreMatch (slapd refuses `Eng` and `eng` in one
 * add or replace: "provided more than once"); labeledURI is caseExactMatch
 * (two spellings are two values).
 */
const fx = useSlapd();
const attributes = { dept: 'departmentNumber', site: 'labeledURI', surname: 'sn' };
const users = (base: string) => ({ base: `ou=people,${base}`, dn: `uid={uid},ou=people,${base}`, key: 'uid', attributes, defaults: { cn: '{uid}' } });

async function held(dn: string, attribute: string): Promise<string[]> {
  const { searchEntries } = await fx.admin.search(dn, { scope: 'base', attributes: [attribute] });
  const value = searchEntries[0]?.[attribute];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

describe('ldap: values that differ only in case', () => {
  it('creates and updates a caseIgnore attribute given Eng, eng, ENG as one value, and then writes nothing', async () => {
    const { connector, pool } = fx.hooked({ users: users(fx.slapd.suffix) });
    const created = await connector.create({ attributes: { uid: 'm.ana', surname: 'Ana', dept: ['Eng', 'eng', 'ENG'] }, enabled: true });
    const dn = `uid=m.ana,ou=people,${fx.slapd.suffix}`;
    expect(await held(dn, 'departmentNumber')).toEqual(['Eng']);
    await connector.update(created.accountId, { dept: ['Ops', 'ops', 'OPS', 'Eng'] });
    expect((await held(dn, 'departmentNumber')).sort()).toEqual(['Eng', 'Ops']);
    // The read-back stands for what Roster wrote: reconcile keeps the link, the next plan has nothing to do.
    const read = await connector.get(created.accountId);
    expect(connector.sameValue('dept', ['Ops', 'ops', 'OPS', 'Eng'], read?.attributes.dept)).toBe(true);
    expect(connector.sameValue('dept', ['Ops', 'Sales'], read?.attributes.dept)).toBe(false);
    const writes: string[] = [];
    pool.hook = (op, _args, send) => { writes.push(op); return send(); };
    try {
      await connector.update(created.accountId, { dept: ['Ops', 'ops', 'OPS', 'Eng'] });
    } finally {
      pool.hook = undefined;
    }
    expect(writes).toEqual([]);
  });

  it('keeps two spellings of a caseExact attribute, and writes a change of case alone (caseExact and caseIgnore alike)', async () => {
    const { connector } = fx.hooked({ users: users(fx.slapd.suffix) });
    const created = await connector.create({ attributes: { uid: 'm.bo', surname: 'Mcdonald', site: ['http://x/A', 'http://x/a'] }, enabled: true });
    const dn = `uid=m.bo,ou=people,${fx.slapd.suffix}`;
    expect((await held(dn, 'labeledURI')).sort()).toEqual(['http://x/A', 'http://x/a']);
    await connector.update(created.accountId, { site: 'http://x/B' });
    await connector.update(created.accountId, { site: 'http://x/b', surname: 'McDonald' });
    expect(await held(dn, 'labeledURI')).toEqual(['http://x/b']);
    expect(await held(dn, 'sn')).toEqual(['McDonald']);
  });

  it('falls back to the standard schemas\' rules when the server does not say where its subschema is', async () => {
    const { url, bindDN, password, suffix } = fx.slapd;
    const pool = new NoSubschemaPool({ url, bindDN, password, startTLS: false, tls: undefined, size: 1, timeoutMs: 5000, connectTimeoutMs: 5000 });
    const connector = new LdapConnector(pool, ldapConnectionSchema.parse({ url, bindDN, password, users: users(suffix) }), { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
    try {
      const created = await connector.create({ attributes: { uid: 'm.cy', surname: 'Cy', dept: ['Eng', 'ENG'] }, enabled: true });
      expect(pool.rootReads).toBeGreaterThan(0);
      expect(await held(`uid=m.cy,ou=people,${suffix}`, 'departmentNumber')).toEqual(['Eng']);
      expect(created.attributes.dept).toBe('Eng');
    } finally {
      await connector.close();
    }
  });
});

/** A pool whose root DSE names no subschemaSubentry (a server that does not publish its schema). */
class NoSubschemaPool extends ClientPool {
  rootReads = 0;
  override use<T>(work: (client: DirectoryClient) => Promise<T>): Promise<T> {
    return super.use((client) => work(new Proxy(client as object, {
      get: (target, property) => {
        const value = (target as Record<string | symbol, unknown>)[property];
        if (typeof value !== 'function') return value;
        const fn = value as (...args: unknown[]) => Promise<unknown>;
        if (property !== 'search') return fn.bind(target);
        return async (base: string, ...rest: unknown[]) => {
          if (base !== '') return fn.call(target, base, ...rest);
          this.rootReads += 1;
          return { searchEntries: [{ dn: '' }], searchReferences: [] };
        };
      },
    }) as DirectoryClient));
  }
}
