import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';

/**
 * Review 20 (security): the leaver's delete goes by the DN read a moment
 * before. A directory writer who renames the leaver's entry away and moves
 * another person's entry (with what is below it) onto that DN in between must
 * not have Roster delete that person: only the entry with the leaver's
 * entryUUID, and what lies below it, is deleted (slapd, Assertion control).
 */
const fixture = useSlapd();
const people = () => `ou=people,${fixture.slapd.suffix}`;

function connector() {
  return fixture.hooked({ users: { base: people(), dn: `uid={uid},${people()}`, key: 'uid', defaults: { cn: '{uid}', sn: '{uid}' } } });
}

async function exists(dn: string): Promise<boolean> {
  const found = await fixture.admin.search(dn, { scope: 'base', attributes: ['1.1'] })
    .then(() => true, (error: unknown) => { if ((error as { code?: number }).code === 32) return false; throw error; });
  return found;
}

/** Before Roster's first delete reaches the server: the leaver's entry goes to `moved`, `other` to the leaver's DN. */
function swapBeforeFirstDelete(pool: ReturnType<typeof connector>['pool'], leaver: string, moved: string, other: string): void {
  pool.hook = async (op, _args, send) => {
    if (op === 'del') {
      pool.hook = undefined;
      await fixture.admin.modifyDN(`uid=${leaver},${people()}`, `uid=${moved}`);
      await fixture.admin.modifyDN(`uid=${other},${people()}`, `uid=${leaver}`);
    }
    return send();
  };
}

describe('ldap delete of a leaver whose DN another entry takes meanwhile (review20)', () => {
  it('another person moved onto the leaver\'s DN (a leaf) is not deleted; the retry deletes the leaver where it went', async () => {
    const { connector: c, pool } = connector();
    const leaver = await c.create({ attributes: { uid: 'mv.a' }, enabled: true });
    const other = await c.create({ attributes: { uid: 'mv.b' }, enabled: true });
    swapBeforeFirstDelete(pool, 'mv.a', 'mv.a-moved', 'mv.b');
    await expect(c.delete(leaver.accountId)).rejects.toMatchObject({ retryable: true });
    // The other person, now at uid=mv.a, is still there and still theirs.
    expect(await c.get(other.accountId)).toMatchObject({ accountId: other.accountId });
    expect(await exists(`uid=mv.a,${people()}`)).toBe(true);
    await c.delete(leaver.accountId);
    expect(await c.get(leaver.accountId)).toBeUndefined();
    expect(await exists(`uid=mv.a-moved,${people()}`)).toBe(false);
    expect(await c.get(other.accountId)).toBeDefined();
  });

  it('another person moved onto the leaver\'s DN with entries below them: neither they nor their entries are deleted', async () => {
    const { connector: c, pool } = connector();
    const leaver = await c.create({ attributes: { uid: 'mv.c' }, enabled: true });
    const other = await c.create({ attributes: { uid: 'mv.d' }, enabled: true });
    await fixture.admin.add(`cn=phone,uid=mv.d,${people()}`, { objectClass: ['device'], cn: 'phone' });
    swapBeforeFirstDelete(pool, 'mv.c', 'mv.c-moved', 'mv.d');
    await expect(c.delete(leaver.accountId)).rejects.toMatchObject({ retryable: true });
    expect(await c.get(other.accountId)).toBeDefined();
    expect(await exists(`cn=phone,uid=mv.c,${people()}`)).toBe(true);
    await c.delete(leaver.accountId);
    expect(await c.get(leaver.accountId)).toBeUndefined();
    expect(await exists(`cn=phone,uid=mv.c,${people()}`)).toBe(true);
  });

  it('an entry that is no account (an OU with entries below) moved onto the leaver\'s DN is not deleted either', async () => {
    const { connector: c, pool } = connector();
    const leaver = await c.create({ attributes: { uid: 'mv.e' }, enabled: true });
    await fixture.admin.add(`uid=mv.f,${people()}`, { objectClass: ['account'], uid: 'mv.f' });
    await fixture.admin.add(`cn=printer,uid=mv.f,${people()}`, { objectClass: ['device'], cn: 'printer' });
    swapBeforeFirstDelete(pool, 'mv.e', 'mv.e-moved', 'mv.f');
    await expect(c.delete(leaver.accountId)).rejects.toMatchObject({ retryable: true });
    expect(await exists(`uid=mv.e,${people()}`)).toBe(true);
    expect(await exists(`cn=printer,uid=mv.e,${people()}`)).toBe(true);
  });

  it('the swap after the plain delete was refused (the leaver has entries below): the other person\'s entries below are not deleted', async () => {
    const { connector: c, pool } = connector();
    const leaver = await c.create({ attributes: { uid: 'mv.g' }, enabled: true });
    const other = await c.create({ attributes: { uid: 'mv.h' }, enabled: true });
    await fixture.admin.add(`cn=laptop,uid=mv.g,${people()}`, { objectClass: ['device'], cn: 'laptop' });
    await fixture.admin.add(`cn=phone,uid=mv.h,${people()}`, { objectClass: ['device'], cn: 'phone' });
    pool.hook = async (op, _args, send) => {
      if (op !== 'del') return send();
      pool.hook = undefined;
      // The plain delete is answered "not a leaf"; before Roster reads what is below, the entries are swapped.
      const answer = await send().catch((error: unknown) => error);
      await fixture.admin.modifyDN(`uid=mv.g,${people()}`, 'uid=mv.g-moved');
      await fixture.admin.modifyDN(`uid=mv.h,${people()}`, 'uid=mv.g');
      throw answer;
    };
    await expect(c.delete(leaver.accountId)).rejects.toMatchObject({ retryable: true });
    expect(await c.get(other.accountId)).toBeDefined();
    expect(await exists(`cn=phone,uid=mv.g,${people()}`)).toBe(true);
    await c.delete(leaver.accountId);
    expect(await exists(`uid=mv.g-moved,${people()}`)).toBe(false);
    expect(await exists(`cn=phone,uid=mv.g,${people()}`)).toBe(true);
  });
});

describe('ldap delete on a server without the Assertion control (review20)', () => {
  /** The server refuses the control as unavailable (LDAP 12), as one without it does for a critical control. */
  function withoutAssertion(pool: ReturnType<typeof connector>['pool'], swap?: () => Promise<void>): void {
    pool.hook = async (op, args, send) => {
      const controls = args[1];
      if (op === 'del' && Array.isArray(controls) && controls.length > 0) {
        if (swap !== undefined) await swap();
        throw Object.assign(new Error('unavailable critical extension'), { code: 12 });
      }
      return send();
    };
  }

  it('the leaver is still deleted, with what is below it', async () => {
    const { connector: c, pool } = connector();
    const leaver = await c.create({ attributes: { uid: 'na.a' }, enabled: true });
    await fixture.admin.add(`cn=laptop,uid=na.a,${people()}`, { objectClass: ['device'], cn: 'laptop' });
    withoutAssertion(pool);
    await c.delete(leaver.accountId);
    pool.hook = undefined;
    expect(await c.get(leaver.accountId)).toBeUndefined();
    expect(await exists(`cn=laptop,uid=na.a,${people()}`)).toBe(false);
  });

  it('another person moved onto the leaver\'s DN is not deleted', async () => {
    const { connector: c, pool } = connector();
    const leaver = await c.create({ attributes: { uid: 'na.b' }, enabled: true });
    const other = await c.create({ attributes: { uid: 'na.c' }, enabled: true });
    withoutAssertion(pool, async () => {
      await fixture.admin.modifyDN(`uid=na.b,${people()}`, 'uid=na.b-moved');
      await fixture.admin.modifyDN(`uid=na.c,${people()}`, 'uid=na.b');
    });
    await expect(c.delete(leaver.accountId)).rejects.toMatchObject({ retryable: true });
    pool.hook = undefined;
    expect(await c.get(other.accountId)).toBeDefined();
  });
});
