import { describe, expect, it } from 'vitest';
import { isRosterError, type RosterError } from '../../core/errors.js';
import type { Connector } from '../types.js';
import { peopleTarget, useSlapd } from '../../../test/support/slapd-fixture.js';

/**
 * Group memberships as a directory administrator's slapd holds them: values
 * other tools wrote in another Unicode form, a bind DN under the default
 * kind of size limit with paged searches let through (what the size-limit
 * error advises), and grants to groups that are not there.
 */
const SERVICE = 'cn=roster,dc=example,dc=com';
const fixture = useSlapd({
  refint: false, serviceAccount: true, sizeLimit: 'size.soft=5 size.hard=5 size.prtotal=unlimited',
  acl: [`to * by dn.exact="${SERVICE}" write by users read`],
});

const ATTRIBUTE = { groupOfNames: 'member', groupOfUniqueNames: 'uniqueMember', posixGroup: 'memberUid' } as const;
type GroupClass = keyof typeof ATTRIBUTE;

async function listed(connector: Connector): Promise<Record<string, readonly string[]>> {
  const byUid: Record<string, readonly string[]> = {};
  for await (const account of connector.list()) byUid[String(account.attributes.uid)] = account.entitlements;
  return byUid;
}

describe('ldap group memberships written by other tools, and at scale', () => {
  it.each(['groupOfNames', 'groupOfUniqueNames'] as const)('%s: a member DN another tool wrote decomposed (NFD) or in compatibility form is the same member to get, list and revoke', async (objectClass) => {
    const s = fixture.slapd.suffix;
    const tag = objectClass === 'groupOfNames' ? 'n' : 'u';
    const connector = fixture.connect(peopleTarget(s, { groups: { objectClass, create: false } }));
    const zoe = await connector.create({ attributes: { uid: `Zoë${tag}` }, enabled: true });
    const fin = await connector.create({ attributes: { uid: `fin${tag}` }, enabled: true });
    const attribute = ATTRIBUTE[objectClass];
    const decomposed = `uid=${`Zoë${tag}`.normalize('NFD')},ou=people,${s}`;
    // slapd matches values under RFC 4518 prep (NFKC): U+FB01 "ﬁ" is "fi".
    await fixture.admin.add(`cn=nfd-${tag},ou=groups,${s}`, { objectClass, cn: `nfd-${tag}`, [attribute]: [decomposed, `uid=ﬁn${tag},ou=people,${s}`] });

    expect((await connector.get(zoe.accountId))?.entitlements).toEqual([`nfd-${tag}`]);
    expect((await connector.get(fin.accountId))?.entitlements).toEqual([`nfd-${tag}`]);
    // A full read (reconcile) says the same: before, it missed both, and every reconcile planned a grant that changed nothing.
    const all = await listed(connector);
    expect(all[`Zoë${tag}`]).toEqual([`nfd-${tag}`]);
    expect(all[`fin${tag}`]).toEqual([`nfd-${tag}`]);

    await connector.revoke(zoe.accountId, `nfd-${tag}`);
    expect((await connector.get(zoe.accountId))?.entitlements).toEqual([]);
    expect((await listed(connector))[`fin${tag}`]).toEqual([`nfd-${tag}`]);
  });

  it.each(['groupOfNames', 'groupOfUniqueNames', 'posixGroup'] as const)('%s: an account in more groups than the bind DN\'s size limit is read whole and renamed with all its groups', async (objectClass) => {
    const s = fixture.slapd.suffix;
    const tag = { groupOfNames: 'gn', groupOfUniqueNames: 'gu', posixGroup: 'gp' }[objectClass];
    const connector = fixture.connect({
      ...peopleTarget(s, { groups: { objectClass, create: false } }), bindDN: SERVICE, password: fixture.slapd.password, pageSize: 3,
    });
    const account = await connector.create({ attributes: { uid: `${tag}.many` }, enabled: true });
    const value = objectClass === 'posixGroup' ? `${tag}.many` : `uid=${tag}.many,ou=people,${s}`;
    const groups = Array.from({ length: 8 }, (_, i) => `${tag}-${i}`);
    for (const [i, cn] of groups.entries()) {
      await fixture.admin.add(`cn=${cn},ou=groups,${s}`, {
        objectClass, cn, [ATTRIBUTE[objectClass]]: [value], ...(objectClass === 'posixGroup' ? { gidNumber: String(7000 + i) } : {}),
      });
    }
    // The size limit is 5: a plain search for the account's 8 groups fails; paged ones are let through (size.prtotal).
    expect((await listed(connector))[`${tag}.many`]).toEqual(groups);
    expect((await connector.get(account.accountId))?.entitlements).toEqual(groups);

    await connector.update(account.accountId, { uid: `${tag}.renamed` });
    expect((await connector.get(account.accountId))?.entitlements).toEqual(groups);
    const expected = objectClass === 'posixGroup' ? [`${tag}.renamed`] : [`uid=${tag}.renamed,ou=people,${s}`];
    for (const cn of groups) expect(await fixture.members(cn, ATTRIBUTE[objectClass])).toEqual(expected);
  });

  it.each([
    ['groupOfNames', false],
    ['posixGroup', true],
  ] as const)('%s (groups.create %s): a grant to a group that is not there is target.not_found naming the group, not "no such entry"', async (objectClass, create) => {
    const s = fixture.slapd.suffix;
    const connector = fixture.connect(peopleTarget(s, { groups: { objectClass, create } }));
    const account = await connector.create({ attributes: { uid: `nogroup.${objectClass}` }, enabled: true });
    const error = await connector.grant(account.accountId, 'deleted-by-an-admin').then(() => undefined, (e: unknown) => e as RosterError);
    expect(error === undefined ? 'granted' : isRosterError(error, 'target.not_found'), error?.message).toBe(true);
    expect(error?.message).toContain(`cn=deleted-by-an-admin,ou=groups,${s}`);
    expect(error?.retryable).toBe(false);
  });
});
