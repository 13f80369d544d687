import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { silentLogger } from '../../core/log.js';
import { ClientPool, type DirectoryClient } from '../directory/pool.js';
import { ldapConnectionSchema } from './config.js';
import { LdapConnector } from './ldap-connector.js';

/**
 * review14 (adversarial): EQUALITY rules for an attribute mapped by its OID
 * (departmentNumber is 2.16.840.1.113730.3.1.2), with the server's subschema
 * read and with a bind DN that may not read it.
 */
const fx = useSlapd();
const DEPT_OID = '2.16.840.1.113730.3.1.2';
const users = (base: string) => ({ base: `ou=people,${base}`, dn: `uid={uid},ou=people,${base}`, key: 'uid', attributes: { dept: DEPT_OID, surname: 'sn' }, defaults: { cn: '{uid}' } });

async function held(dn: string): Promise<string[]> {
  const { searchEntries } = await fx.admin.search(dn, { scope: 'base', attributes: ['departmentNumber'] });
  const value = searchEntries[0]?.departmentNumber;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

/** A pool whose reads of the subschema entry are refused (an ACL that keeps the bind DN out of cn=Subschema). */
class SubschemaDeniedPool extends ClientPool {
  denied = 0;
  override use<T>(work: (client: DirectoryClient) => Promise<T>): Promise<T> {
    return super.use((client) => work(new Proxy(client as object, {
      get: (target, property) => {
        const value = (target as Record<string | symbol, unknown>)[property];
        if (typeof value !== 'function') return value;
        const fn = value as (...args: unknown[]) => Promise<unknown>;
        if (property !== 'search') return fn.bind(target);
        return async (base: string, ...rest: unknown[]) => {
          if (base.toLowerCase() !== 'cn=subschema') return fn.call(target, base, ...rest);
          this.denied += 1;
          throw Object.assign(new Error('Insufficient access'), { code: 50 });
        };
      },
    }) as DirectoryClient));
  }
}

describe('review14: matching rules of an attribute mapped by OID', () => {
  it('with the server\'s subschema: Eng, eng written once; read back under its name; the same update writes nothing', async () => {
    const { connector, pool } = fx.hooked({ users: users(fx.slapd.suffix) });
    const created = await connector.create({ attributes: { uid: 'o.ana', surname: 'Ana', dept: ['Eng', 'eng'] }, enabled: true });
    const dn = `uid=o.ana,ou=people,${fx.slapd.suffix}`;
    expect(await held(dn)).toEqual(['Eng']);
    expect((await connector.get(created.accountId))?.attributes.dept).toBe('Eng');
    const writes: string[] = [];
    pool.hook = (op, _args, send) => { writes.push(op); return send(); };
    try {
      await connector.update(created.accountId, { dept: ['Eng', 'eng'] });
    } finally {
      pool.hook = undefined;
    }
    expect(writes).toEqual([]);
  });

  it('an attribute outside Roster\'s own tables mapped by OID (destinationIndicator, 2.5.4.27) is read back through the server\'s subschema', async () => {
    const base = users(fx.slapd.suffix);
    const { connector } = fx.hooked({ users: { ...base, attributes: { ...base.attributes, dest: '2.5.4.27' } } });
    const created = await connector.create({ attributes: { uid: 'o.cy', surname: 'Cy', dest: ['ab', 'AB'] }, enabled: true });
    expect((await connector.get(created.accountId))?.attributes.dest).toBe('ab');
  });

  it('a bind DN that may not read the subschema: the standard rules, found for the OID too', async () => {
    const { url, bindDN, password, suffix } = fx.slapd;
    const pool = new SubschemaDeniedPool({ url, bindDN, password, startTLS: false, tls: undefined, size: 1, timeoutMs: 5000, connectTimeoutMs: 5000 });
    const connector = new LdapConnector(pool, ldapConnectionSchema.parse({ url, bindDN, password, users: users(suffix) }), { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
    try {
      const created = await connector.create({ attributes: { uid: 'o.bo', surname: 'Bo', dept: ['Eng', 'ENG'] }, enabled: true });
      expect(pool.denied).toBeGreaterThan(0);
      expect(await held(`uid=o.bo,ou=people,${suffix}`)).toEqual(['Eng']);
      expect(created.attributes.dept).toBe('Eng');
    } finally {
      await connector.close();
    }
  });
});
