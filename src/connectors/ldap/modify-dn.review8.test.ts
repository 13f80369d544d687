import { Client } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { useSlapd } from '../../../test/support/slapd-fixture.js';
import { parseDn } from '../directory/dn.js';
import { assertModifyDnInternals, modifyDnKeepingValues, modifyDnPlain } from './modify-dn.js';

/**
 * modify DN with a new superior and RDN values that need escaping, against
 * a real slapd: ldapts's public modifyDN (which cannot keep the old RDN
 * values, and finds the new superior with a regular expression) and the
 * request sent through its internals, which only an ldapts version they
 * were checked on may use.
 */
const fixture = useSlapd();

const TRICKY = ['Smith, "Jr" + Co', 'back\\slash\\', 'Ünal 李 Ωmega', ' lead#ing and trailing ', '#hash;semi<angle>=eq'];

async function bound(): Promise<Client> {
  const client = new Client({ url: fixture.slapd.url });
  await client.bind(fixture.slapd.bindDN, fixture.slapd.password);
  return client;
}

/** The entry's RDN values and its parent as slapd now holds them, found by uid. */
async function where(uid: string): Promise<{ readonly cn: string[]; readonly uid: string[]; readonly rdn: readonly { type: string; value: string }[]; readonly parent: string } | undefined> {
  const { searchEntries } = await fixture.admin.search(fixture.slapd.suffix, { filter: `(uid=${uid})`, attributes: ['cn', 'uid'] });
  const entry = searchEntries[0];
  if (entry === undefined) return undefined;
  const [rdn = [], ...parent] = parseDn(entry.dn);
  const list = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String).sort();
  return { cn: list(entry.cn), uid: list(entry.uid), rdn, parent: parent.map((r) => r.map((a) => `${a.type}=${a.value}`).join('+')).join(',').toLowerCase() };
}

describe('ldapts internals for modify DN', () => {
  it('are used only on the ldapts major they were checked on, with an error naming the version otherwise', () => {
    expect(() => assertModifyDnInternals('8.2.0')).not.toThrow();
    expect(() => assertModifyDnInternals()).not.toThrow();
    expect(() => assertModifyDnInternals('9.0.0')).toThrow(/ldapts 8\.x.*9\.0\.0 is installed/);
    expect(() => assertModifyDnInternals(undefined as unknown as string)).not.toThrow();
    expect(() => assertModifyDnInternals('')).toThrow(/ldapts 8\.x/);
  });
});

describe('moves and renames with escaped and non-ASCII RDN values (real slapd)', () => {
  it('ldapts modifyDN splits `cn=a\\\\,ou=…` at the wrong comma; modifyDnPlain moves it where asked', async () => {
    const s = fixture.slapd.suffix;
    const client = await bound();
    try {
      await client.add(`cn=ends\\5c,ou=people,${s}`, { objectClass: 'inetOrgPerson', cn: 'ends\\', sn: 'x', uid: 'split.case' });
      // The backslash-character form of the same DN: RFC 4514 allows it, and servers return it.
      const target = `cn=ends\\\\,ou=disabled,${s}`;
      const raw = await client.modifyDN(`cn=ends\\5c,ou=people,${s}`, target).then(() => 'moved', (e: unknown) => String(e));
      expect(raw).not.toBe('moved');
      await modifyDnPlain(client, `cn=ends\\5c,ou=people,${s}`, target);
      expect(await where('split.case')).toMatchObject({ cn: ['ends\\'], rdn: [{ type: 'cn', value: 'ends\\' }], parent: `ou=disabled,${s}` });
    } finally {
      await client.unbind();
    }
  });

  it('each tricky value: moved to another parent with a new RDN, then back keeping the old RDN values', async () => {
    const s = fixture.slapd.suffix;
    const client = await bound();
    try {
      for (const [i, value] of TRICKY.entries()) {
        const uid = `tricky${i}`;
        await client.add(`uid=${uid},ou=people,${s}`, { objectClass: 'inetOrgPerson', cn: value, sn: 'x', uid });
        // uid=… -> cn=<value>+uid=… under ou=disabled (old RDN values deleted: uid stays, it is in the new RDN).
        const keyed = `${formatRdn([['cn', value], ['uid', uid]])},ou=disabled,${s}`;
        await modifyDnPlain(client, `uid=${uid},ou=people,${s}`, keyed);
        expect(await where(uid), value).toMatchObject({ cn: [value], uid: [uid], parent: `ou=disabled,${s}` });
        expect((await where(uid))?.rdn.map((a) => a.value).sort(), value).toEqual([value, uid].sort());
        // Back to cn=<value> alone under ou=people: the uid leaves the RDN and must stay in the entry.
        await modifyDnKeepingValues(client, keyed, `${formatRdn([['cn', value]])},ou=people,${s}`);
        expect(await where(uid), value).toMatchObject({ cn: [value], uid: [uid], rdn: [{ type: 'cn', value }], parent: `ou=people,${s}` });
      }
    } finally {
      await client.unbind();
    }
  });
});

/** An RDN in hex-escaped form, as Roster's DN formatting writes it. */
function formatRdn(avas: readonly (readonly [string, string])[]): string {
  const hex = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
  return avas.map(([type, value]) => `${type}=${hex(value)}`).join('+');
}
