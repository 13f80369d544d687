import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import type { LdapConnector } from './ldap-connector.js';

/**
 * Review 20 (adversarial): uidNumbers when two Roster processes (two
 * connectors, each with its own pool and allocator) create into one slapd
 * and a write fails at an exact moment. A HookPool holds one process's add
 * back while the other process's create runs whole, so both check the same
 * number free, as two processes reading the same highest number do.
 */
const fixture = useSlapd();

/** The OU below ou=people a test's accounts go to. */
async function ou(name: string): Promise<void> {
  await fixture.admin.add(`ou=${name},ou=people,${fixture.slapd.suffix}`, { objectClass: ['organizationalUnit'], ou: name });
}

/** One Roster process's connector for accounts below ou=<ou>,ou=people, numbers from [min, max]. */
function rosterProcess(ou: string, min: number, max = min + 999) {
  const s = fixture.slapd.suffix;
  return fixture.hooked({
    users: {
      base: `ou=${ou},ou=people,${s}`, dn: `uid={uid},ou=${ou},ou=people,${s}`, key: 'uid', createOUs: true,
      defaults: { cn: '{uid}', sn: '{uid}' }, posix: { uidNumber: { min, max }, gidNumber: 100 },
    },
  });
}

/** uid -> uidNumber below ou=<ou>,ou=people. */
async function numbers(ou: string): Promise<Record<string, string>> {
  const { searchEntries } = await fixture.admin.search(`ou=${ou},ou=people,${fixture.slapd.suffix}`, { scope: 'one', filter: '(uid=*)', attributes: ['uid', 'uidNumber'] });
  return Object.fromEntries(searchEntries.map((entry) => [String(entry.uid), String(entry.uidNumber)]));
}

const create = (connector: LdapConnector, uid: string) => connector.create({ attributes: { uid }, enabled: true });
const lost = (): Error => Object.assign(new Error('read ECONNRESET (the answer to the add was lost)'), { code: 'ECONNRESET' });

describe('posix uidNumbers when a write fails at the wrong moment (review20)', () => {
  it('an add whose answer is lost while another process took the same number: the create that finds the entry on resending does not keep the duplicate', async () => {
    await ou('lost');
    const a = rosterProcess('lost', 40000);
    const b = rosterProcess('lost', 40000);
    a.pool.hook = async (op, _args, send) => {
      if (op !== 'add') return send();
      a.pool.hook = undefined;
      // Process B checks the same number free (A has not added yet), adds it and settles: it alone holds it then.
      await create(b.connector, 'lost.b');
      await send();
      // The add was applied; its answer never comes back (the connection dropped), so no settle after it runs.
      throw lost();
    };
    // The pool sends the add again on a fresh connection (the server says the entry exists: it is found and adopted);
    // had the connection not been open before, the create would fail and the executor's retry would adopt it.
    await create(a.connector, 'lost.a').catch(() => create(a.connector, 'lost.a'));
    expect(Object.keys(await numbers('lost')).sort()).toEqual(['lost.a', 'lost.b']);
    const held = await numbers('lost');
    expect(held['lost.b']).toBe('40000');
    expect(held['lost.a']).not.toBe(held['lost.b']);
  });

  it('a retried create whose settle search failed after its add: the adopted entry is settled, not kept with the duplicate', async () => {
    await ou('settle');
    const a = rosterProcess('settle', 41000);
    const b = rosterProcess('settle', 41000);
    let failNextSearch = false;
    a.pool.hook = async (op, _args, send) => {
      if (op !== 'add') return send();
      a.pool.hook = undefined;
      await create(b.connector, 'settle.b');
      const result = await send();
      failNextSearch = true;
      return result;
    };
    // The equality search that settles the add fails (the directory went away for a moment).
    const use = a.pool.use.bind(a.pool);
    a.pool.use = ((work) => {
      if (!failNextSearch) return use(work);
      failNextSearch = false;
      return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1'), { code: 'ECONNREFUSED' }));
    }) as typeof a.pool.use;
    await expect(create(a.connector, 'settle.a')).rejects.toThrow();
    await create(a.connector, 'settle.a');
    const held = await numbers('settle');
    expect(held['settle.a']).not.toBe(held['settle.b']);
  });

  it('the last number of the range taken by two processes at once: the loser fails naming the full range and leaves no duplicate behind', async () => {
    await ou('full');
    const a = rosterProcess('full', 42000, 42000);
    const b = rosterProcess('full', 42000, 42000);
    a.pool.hook = async (op, _args, send) => {
      if (op !== 'add') return send();
      a.pool.hook = undefined;
      await create(b.connector, 'full.b');
      return send();
    };
    await expect(create(a.connector, 'full.a')).rejects.toThrow(/no free uidNumber left in 42000-42000/);
    // B holds the only number; A's entry is not left behind holding it too.
    expect(await numbers('full')).toEqual({ 'full.b': '42000' });
    // Tried again (the next plan), A is told the range is full again: no wrap-around, no duplicate.
    await expect(create(a.connector, 'full.a')).rejects.toThrow(/no free uidNumber left in 42000-42000/);
    expect(await numbers('full')).toEqual({ 'full.b': '42000' });
  });

  it('an old account whose number a newer entry was given by hand is adopted as it is: the newer entry is not Roster\'s to renumber', async () => {
    const s = fixture.slapd.suffix;
    await ou('old');
    await fixture.admin.add(`uid=old.a,ou=old,ou=people,${s}`, {
      objectClass: ['inetOrgPerson', 'posixAccount'], uid: 'old.a', cn: 'old.a', sn: 'old.a', uidNumber: '43005', gidNumber: '100', homeDirectory: '/home/old.a',
    });
    // A second later someone copies the number onto a service account elsewhere in the tree.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await fixture.admin.add(`uid=svc,ou=old,ou=people,${s}`, {
      objectClass: ['inetOrgPerson', 'posixAccount'], uid: 'svc', cn: 'svc', sn: 'svc', uidNumber: '43005', gidNumber: '100', homeDirectory: '/srv/svc',
    });
    const a = rosterProcess('old', 43000);
    await create(a.connector, 'old.a');
    expect(await numbers('old')).toEqual({ 'old.a': '43005', svc: '43005' });
  });

  it('a number set by hand on another entry just before it is handed out is not handed out', async () => {
    await ou('hand');
    const s = fixture.slapd.suffix;
    const a = rosterProcess('hand', 44000);
    await create(a.connector, 'hand.1');
    // The allocator's block goes on at 44001: an operator gives that number to a service account elsewhere in the tree.
    await fixture.admin.add(`uid=svc.hand,${s}`, {
      objectClass: ['inetOrgPerson', 'posixAccount'], uid: 'svc.hand', cn: 'svc', sn: 'svc', uidNumber: '44001', gidNumber: '100', homeDirectory: '/srv/svc',
    });
    await create(a.connector, 'hand.2');
    const held = await numbers('hand');
    expect(held['hand.1']).toBe('44000');
    expect(Number(held['hand.2'])).toBeGreaterThan(44001);
  });
});
