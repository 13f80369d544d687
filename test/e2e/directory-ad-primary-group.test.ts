import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { sidWithRid } from '../../src/connectors/ad/effective.js';
import { isRosterError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { adConnection, startSamba, type RunningSamba } from '../support/samba.js';

/**
 * A user's primary group (primaryGroupID, Domain Users by default) is in
 * neither the user's memberOf nor the group's member: the access it gives,
 * and the access of every group it is nested in, is still the user's, and
 * `roster explain` must show it (effectiveEntitlements), against Samba AD.
 */
let samba: RunningSamba;
let admin: Client;
let connector: AdConnector;
const DOMAIN_USERS = 'CN=Domain Users,CN=Users,DC=example,DC=test';
/** BUILTIN\Users: Domain Users is a member of it in every domain. */
const BUILTIN_USERS = 'CN=Users,CN=Builtin,DC=example,DC=test';

beforeAll(async () => {
  samba = await startSamba();
  admin = new Client({ url: samba.url, tlsOptions: { ca: samba.ca } });
  await admin.bind(samba.bindDN, samba.password);
  const config = adConnectionSchema.parse({
    ...adConnection(samba),
    users: { dn: `CN={sAMAccountName},OU=PrimaryPeople,${samba.rosterOU}`, upnSuffix: 'example.test', createOUs: true },
    groups: { base: `OU=Groups,${samba.rosterOU}`, names: true, create: true },
  });
  connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: silentLogger }) as AdConnector;
}, 400_000);

afterAll(async () => {
  await connector?.close();
  await admin?.unbind();
  await samba?.stop();
});

describe('sidWithRid', () => {
  it('appends the RID to the domain SID as one more sub-authority', () => {
    // S-1-5-21-1-2-3 + 513 -> S-1-5-21-1-2-3-513
    const domain = Buffer.from([1, 4, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]);
    expect([...sidWithRid(domain, 513)!]).toEqual([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0x01, 0x02, 0, 0]);
    expect(domain[1]).toBe(4);
    expect(sidWithRid(Buffer.from([1, 2, 0, 0]), 513)).toBeUndefined();
    expect(sidWithRid(domain, -1)).toBeUndefined();
  });
});

describe('effectiveEntitlements and the primary group', () => {
  it('shows Domain Users, the primary group of a new user, and the groups Domain Users is nested in (BUILTIN\\Users, and one added)', async () => {
    const account = await connector.create({ attributes: { sAMAccountName: 'p.primary' }, enabled: true });
    await connector.grant(account.accountId, 'r11team');
    expect(await connector.effectiveEntitlements(account.accountId)).toEqual([DOMAIN_USERS, BUILTIN_USERS, 'r11team']);
    // Everyone in Domain Users can print: a group holding Domain Users gives every user its access.
    const printers = `CN=R11Printers,${samba.rosterOU}`;
    await admin.add(printers, { objectClass: ['top', 'group'], sAMAccountName: 'R11Printers' });
    await admin.modify(printers, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [DOMAIN_USERS] }) })]);
    expect(await connector.effectiveEntitlements(account.accountId)).toEqual([DOMAIN_USERS, printers, BUILTIN_USERS, 'r11team']);
    // The direct, managed memberships are unchanged.
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['r11team']);
  });

  it('a managed group made the primary group is still held (no grant planned again), and revoking it is refused saying why', async () => {
    const account = await connector.create({ attributes: { sAMAccountName: 'p.moved' }, enabled: true });
    await connector.grant(account.accountId, 'r11primary');
    const group = `CN=r11primary,OU=Groups,${samba.rosterOU}`;
    const token = (await admin.search(group, { scope: 'base', attributes: ['primaryGroupToken'] })).searchEntries[0]?.['primaryGroupToken'];
    const { searchEntries } = await admin.search(`OU=PrimaryPeople,${samba.rosterOU}`, { filter: '(sAMAccountName=p.moved)', attributes: ['memberOf'] });
    await admin.modify(searchEntries[0]!.dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'primaryGroupID', values: [String(token)] }) })]);
    // AD took it out of memberOf: read from memberOf alone, the account would lack it, and every plan would grant it again.
    const after = (await admin.search(searchEntries[0]!.dn, { scope: 'base', attributes: ['memberOf'] })).searchEntries[0]?.['memberOf'];
    expect([after ?? []].flat().map(String)).not.toContain(group);
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['r11primary']);
    const refused = await connector.revoke(account.accountId, 'r11primary').catch((e: unknown) => e);
    expect(isRosterError(refused, 'target.rejected')).toBe(true);
    expect((refused as Error).message).toMatch(/r11primary is the primary group of .*make another group its primary group first/);
    expect((await connector.get(account.accountId))?.entitlements).toEqual(['r11primary']);
  });
});
