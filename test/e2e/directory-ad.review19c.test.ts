/**
 * review19c: the ad target connector's promises on accountExpires, userAccountControl and sAMAccountName,
 * probed against a real Samba AD DC where earlier reviews did not look.
 */
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdConnector } from '../../src/connectors/ad/index.js';
import { startSamba, type RunningSamba } from '../support/samba.js';
import { departmentConnector, rosterFailure as failure } from './ad-connector-support.js';
import { adminClient } from './directory-config.js';

let samba: RunningSamba;
let admin: Client;
const connectors: AdConnector[] = [];

beforeAll(async () => {
  samba = await startSamba();
  admin = await adminClient(samba);
}, 400_000);
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.close()));
  await admin?.unbind();
  await samba?.stop();
});

const connect = (): AdConnector => departmentConnector(samba, connectors);

async function read(filter: string, attributes: string[]): Promise<Record<string, unknown>[]> {
  const { searchEntries } = await admin.search(samba.rosterOU.replace(/^OU=Roster,/, ''), { scope: 'sub', filter, attributes });
  return searchEntries;
}

const domain = (): string => samba.rosterOU.replace(/^OU=Roster,/, '');
const ACCOUNTDISABLE = 0x2;
const PASSWD_NOTREQD = 0x20;
const DONT_EXPIRE_PASSWORD = 0x10000;
const SMARTCARD_REQUIRED = 0x40000;
const NOT_DELEGATED = 0x100000;

describe('review19c: ad connector against Samba AD', () => {
  it('a sAMAccountName a group holds (outside the base) is learned as taken, so the next plan gives the joiner the next name', async () => {
    const connector = connect();
    await admin.add(`CN=r19c.grp,CN=Users,${domain()}`, [
      new Attribute({ type: 'objectClass', values: ['top', 'group'] }),
      new Attribute({ type: 'sAMAccountName', values: ['r19c.grp'] }),
    ]);
    const error = await failure(connector.create({ attributes: { sAMAccountName: 'r19c.grp', department: 'Sales', employeeID: 'R19C-1' }, enabled: true }));
    expect(error.code).toBe('target.conflict');
    expect(error.retryable).toBe(false);
    // Without this the name is never remembered: every plan tries it again and fails the same way.
    expect((error.details as { taken?: unknown }).taken).toEqual([{ attribute: 'sAMAccountName', value: 'r19c.grp' }]);
    expect(error.message).toContain(`CN=r19c.grp,CN=Users,${domain()} (not a user account)`);
    expect(error.message).toContain('the next plan gives the joiner the next free name');
    expect(await read('(employeeID=R19C-1)', ['1.1'])).toHaveLength(0);
  });

  it('a user holding the name with no employeeID still cannot be told apart (the documented behaviour stays)', async () => {
    const connector = connect();
    await admin.add(`CN=r19c.anon,CN=Users,${domain()}`, [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
      new Attribute({ type: 'sAMAccountName', values: ['r19c.anon'] }),
    ]);
    const error = await failure(connector.create({ attributes: { sAMAccountName: 'r19c.anon', department: 'Sales', employeeID: 'R19C-2' }, enabled: true }));
    expect(error.code).toBe('target.conflict');
    expect((error.details as { taken?: unknown }).taken).toEqual([]);
    expect(error.message).not.toContain('not a user account');
  });

  it('a case-only change of the sAMAccountName (jsmith -> JSmith) is written, the UPN follows, and reads back as written', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r19c.jsmith', department: 'Sales', employeeID: 'R19C-3' }, enabled: true });
    await connector.update(account.accountId, { sAMAccountName: 'R19C.JSmith' });
    expect((await connector.get(account.accountId))?.attributes).toMatchObject({ sAMAccountName: 'R19C.JSmith', userPrincipalName: 'R19C.JSmith@example.test' });
    // Same objectGUID, same DN (the CN compares case-insensitively: no move).
    expect(await read('(sAMAccountName=r19c.jsmith)', ['1.1'])).toMatchObject([{ dn: `CN=r19c.jsmith,OU=Sales,OU=People,${samba.rosterOU}` }]);
  });

  it('flags an admin set (PASSWD_NOTREQD on an account with a password, NOT_DELEGATED, DONT_EXPIRE_PASSWORD, SMARTCARD_REQUIRED) survive an update, a disable and an enable', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r19c.flags', department: 'Sales', employeeID: 'R19C-4' }, enabled: true });
    const dn = `CN=r19c.flags,OU=Sales,OU=People,${samba.rosterOU}`;
    const uac = async () => Number((await read('(sAMAccountName=r19c.flags)', ['userAccountControl']))[0]!.userAccountControl);
    const flags = PASSWD_NOTREQD | NOT_DELEGATED | DONT_EXPIRE_PASSWORD | SMARTCARD_REQUIRED;
    const before = await uac();
    // pwdLastSet -1: the password set at create is in use (no longer "must change"), so the account does not lack one.
    await admin.modify(dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(before | flags)] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdLastSet', values: ['-1'] }) }),
    ]);
    await connector.update(account.accountId, { title: 'Rep' });
    expect(await uac()).toBe(before | flags);
    await connector.setEnabled(account.accountId, false);
    expect(await uac()).toBe(before | flags | ACCOUNTDISABLE);
    expect(await connector.setEnabled(account.accountId, true, undefined, { reason: 'return' })).toEqual({});
    expect(await uac()).toBe(before | flags);
  });
});
