import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';

/**
 * Review 20: the ldap connector's delete of an account entry that has
 * entries below it, against slapd (no tree delete control): the children go
 * deepest first, page by page, then the entry; a delete stopped part way is
 * finished by the retry; nothing outside the entry's subtree is touched.
 */
const fixture = useSlapd();
const people = () => `ou=people,${fixture.slapd.suffix}`;

function connector(pageSize = 500) {
  return fixture.hooked({ pageSize, users: { base: people(), dn: `uid={uid},${people()}`, key: 'uid', defaults: { cn: '{uid}', sn: '{uid}' } } });
}

async function below(dn: string): Promise<string[]> {
  const { searchEntries } = await fixture.admin.search(dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'] })
    .catch((error: unknown) => { if ((error as { code?: number }).code === 32) return { searchEntries: [] }; throw error; });
  return searchEntries.map((e) => e.dn.toLowerCase()).sort();
}

/** `count` devices below `dn`, each with one entry below it. */
async function devices(dn: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await fixture.admin.add(`cn=d${i},${dn}`, { objectClass: ['device'], cn: `d${i}` });
    await fixture.admin.add(`cn=state,cn=d${i},${dn}`, { objectClass: ['device'], cn: 'state' });
  }
}

describe('ldap delete of an account with entries below it (review20)', () => {
  it('deletes a subtree bigger than a page, deepest first, and leaves a sibling whose DN starts alike', async () => {
    const { connector: c } = connector(3);
    const owner = await c.create({ attributes: { uid: 'tree.a' }, enabled: true });
    const sibling = await c.create({ attributes: { uid: 'tree.ab' }, enabled: true });
    await devices(`uid=tree.a,${people()}`, 4);
    await devices(`uid=tree.ab,${people()}`, 1);
    expect(await below(`uid=tree.a,${people()}`)).toHaveLength(9);
    await c.delete(owner.accountId);
    expect(await below(`uid=tree.a,${people()}`)).toEqual([]);
    expect(await below(`uid=tree.ab,${people()}`)).toHaveLength(3);
    expect(await c.get(sibling.accountId)).toBeDefined();
    // Deleted already: the retry succeeds without touching anything.
    await c.delete(owner.accountId);
    expect(await below(`uid=tree.ab,${people()}`)).toHaveLength(3);
  });

  it('a delete that stopped after some children went is finished by the next attempt', async () => {
    const { connector: c, pool } = connector();
    const owner = await c.create({ attributes: { uid: 'tree.b' }, enabled: true });
    await devices(`uid=tree.b,${people()}`, 2);
    let deletes = 0;
    pool.hook = async (op, _args, send) => {
      if (op !== 'del') return send();
      deletes++;
      // The plain delete (refused: children), then one child deleted, then the server is busy (the job is retried later).
      if (deletes <= 2) return send();
      pool.hook = undefined;
      throw Object.assign(new Error('busy'), { code: 51 });
    };
    await expect(c.delete(owner.accountId)).rejects.toThrow();
    expect(await below(`uid=tree.b,${people()}`)).toHaveLength(4);
    await c.delete(owner.accountId);
    expect(await below(`uid=tree.b,${people()}`)).toEqual([]);
  });

  it('a child added while the children are being deleted is deleted too, in the next round', async () => {
    const { connector: c, pool } = connector();
    const owner = await c.create({ attributes: { uid: 'tree.c' }, enabled: true });
    await devices(`uid=tree.c,${people()}`, 1);
    let added = false;
    pool.hook = async (op, args, send) => {
      // Once the first child has been deleted, an application writes a new one below the entry.
      const result = await send();
      if (op === 'del' && !added && String(args[0]).startsWith('cn=state')) {
        added = true;
        await fixture.admin.add(`cn=late,uid=tree.c,${people()}`, { objectClass: ['device'], cn: 'late' });
      }
      return result;
    };
    await c.delete(owner.accountId);
    pool.hook = undefined;
    expect(added).toBe(true);
    expect(await below(`uid=tree.c,${people()}`)).toEqual([]);
  });
});
