import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../../src/connectors/ldap/index.js';
import type { Connector } from '../../src/connectors/types.js';
import { LDAP_OP, startLdapCounter, type LdapCounter } from '../support/ldap-counter.js';
import { startSlapd, type RunningSlapd } from '../support/slapd.js';

/**
 * groupOfUniqueNames: one account's groups are read with filtered searches,
 * not by reading every group, and still found when their uniqueMember value
 * carries the optional `#'…'B` UID. Counted on the wire by a proxy.
 */

const GROUPS = 300;
let slapd: RunningSlapd;
let admin: Client;
let counter: LdapCounter;
let connector: Connector;

const people = () => `ou=people,${slapd.suffix}`;
const group = (cn: string) => `cn=${cn},ou=groups,${slapd.suffix}`;
const dnOf = (uid: string) => `uid=${uid},${people()}`;

beforeAll(async () => {
  slapd = await startSlapd({ randomPort: true });
  admin = new Client({ url: slapd.url });
  await admin.bind(slapd.bindDN, slapd.password);
  counter = await startLdapCounter(slapd.url);
  const s = slapd.suffix;
  connector = ldapConnectorFactory.create(ldapConnectionSchema.parse({
    url: counter.url, bindDN: slapd.bindDN, password: slapd.password,
    users: { base: s, dn: `uid={uid},ou=people,${s}`, key: 'uid', attributes: { email: 'mail' }, defaults: { cn: '{uid}', sn: '{uid}' } },
    groups: { base: `ou=groups,${s}`, names: true, create: true, objectClass: 'groupOfUniqueNames' },
    disable: { strategy: 'move', ou: `ou=disabled,${s}` },
  }), { targetId: 'corp-ldap', baseDir: '.', log: silentLogger });
  for (const uid of ['ann', 'bob']) await admin.add(dnOf(uid), { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid });
  // Many groups Ann is not in: Bob's, some of them with a UID on his value.
  const adds: Promise<void>[] = [];
  for (let i = 0; i < GROUPS; i++) {
    adds.push(admin.add(group(`g${i}`), { objectClass: ['groupOfUniqueNames'], cn: `g${i}`, uniqueMember: [i % 2 === 0 ? dnOf('bob') : `${dnOf('bob')}#'0101'B`] }));
  }
  await Promise.all(adds);
  // Ann's: plain, with a UID, with a UID and another spelling of her DN, and both forms in one group.
  await admin.add(group('plain'), { objectClass: ['groupOfUniqueNames'], cn: 'plain', uniqueMember: [dnOf('ann'), dnOf('bob')] });
  await admin.add(group('tagged'), { objectClass: ['groupOfUniqueNames'], cn: 'tagged', uniqueMember: [`${dnOf('ann')}#'0101'B`] });
  await admin.add(group('spelled'), { objectClass: ['groupOfUniqueNames'], cn: 'spelled', uniqueMember: [`UID=Ann, OU=People,${slapd.suffix}#'1'B`] });
  await admin.add(group('both'), { objectClass: ['groupOfUniqueNames'], cn: 'both', uniqueMember: [dnOf('ann'), `${dnOf('ann')}#'11'B`] });
  // Not Ann's: a DN that only starts like hers.
  await admin.add(group('annex'), { objectClass: ['groupOfUniqueNames'], cn: 'annex', uniqueMember: [`uid=annex,${people()}#'1'B`] });
}, 60_000);

afterAll(async () => {
  await connector?.close();
  await counter?.close();
  await admin?.unbind();
  await slapd?.stop();
});

async function accountIdOf(uid: string): Promise<string> {
  for await (const account of connector.list()) if (account.attributes['uid'] === uid) return account.accountId;
  throw new Error(`no account ${uid}`);
}

describe('groupOfUniqueNames: one account\'s groups', () => {
  it(`get() finds every group of the account, UID or not, reading only those groups out of ${GROUPS + 5}`, async () => {
    const id = await accountIdOf('ann');
    counter.reset();
    const account = await connector.get(id);
    expect(account?.entitlements).toEqual(['both', 'plain', 'spelled', 'tagged']);
    // The account entry and its four groups (`both` once): before, every group under the base came over (305 entries).
    const entries = counter.count(LDAP_OP.searchResultEntry);
    const searches = counter.count(LDAP_OP.searchResultDone);
    expect(entries).toBeLessThanOrEqual(6);
    expect(searches).toBeLessThanOrEqual(4);
    process.stdout.write(`get() of an account in 4 of ${GROUPS + 5} groupOfUniqueNames groups: ${searches} searches, ${entries} entries\n`);
  });

  it('an account in no group reads none of them (Bob\'s UID values are not Ann\'s, and the other way round)', async () => {
    await admin.add(dnOf('cy'), { objectClass: ['inetOrgPerson'], uid: 'cy', cn: 'cy', sn: 'cy' });
    const id = await accountIdOf('cy');
    counter.reset();
    expect((await connector.get(id))?.entitlements).toEqual([]);
    expect(counter.count(LDAP_OP.searchResultEntry)).toBe(1);
  });

  it('Bob, plain in half the groups and with a UID in the other half, is found in all of them', async () => {
    const id = await accountIdOf('bob');
    const entitlements = (await connector.get(id))?.entitlements ?? [];
    expect(entitlements.length).toBe(GROUPS + 1);
    expect(entitlements).toContain('g0');
    expect(entitlements).toContain('g1');
    expect(entitlements).toContain('plain');
  });

  it('a revoke after the read removes the membership as stored, and the next read no longer finds it', async () => {
    const id = await accountIdOf('ann');
    await connector.revoke(id, 'tagged');
    await connector.revoke(id, 'both');
    expect((await connector.get(id))?.entitlements).toEqual(['plain', 'spelled']);
  });
});
