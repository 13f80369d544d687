import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { primaryGroupSid } from '../../src/connectors/ad/effective.js';
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

describe('primaryGroupSid', () => {
  it('replaces the RID of the user\'s SID with primaryGroupID', () => {
    // S-1-5-21-1-2-3-1105 -> S-1-5-21-1-2-3-513
    const user = Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0x51, 0x04, 0, 0]);
    expect([...primaryGroupSid(user, 513)!]).toEqual([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0x01, 0x02, 0, 0]);
    expect([...user.subarray(24)]).toEqual([0x51, 0x04, 0, 0]);
    expect(primaryGroupSid(Buffer.from([1, 2, 0, 0]), 513)).toBeUndefined();
    expect(primaryGroupSid(user, -1)).toBeUndefined();
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
});
