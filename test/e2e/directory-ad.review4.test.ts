import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/log.js';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { adConnection, startSamba, type RunningSamba } from '../support/samba.js';
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

function connect(connection: Record<string, unknown> = {}): AdConnector {
  const config = adConnectionSchema.parse({
    ...adConnection(samba),
    users: { dn: `CN={sAMAccountName},OU={department},OU=People,${samba.rosterOU}`, upnSuffix: 'example.test', createOUs: true },
    groups: { base: `OU=Groups,${samba.rosterOU}`, names: true, create: true },
    ...connection,
  });
  const connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: createLogger('error', () => undefined) }) as AdConnector;
  connectors.push(connector);
  return connector;
}

async function readOne(filter: string, attributes: string[]): Promise<Record<string, unknown>> {
  const { searchEntries } = await admin.search(samba.rosterOU, { scope: 'sub', filter, attributes });
  expect(searchEntries).toHaveLength(1);
  return searchEntries[0]!;
}

describe('review4: ad connector against Samba AD', () => {
  it('P1 an update never writes a sAMAccountName over 20 characters (the limit create enforces)', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r4.short', department: 'Sales' }, enabled: true });
    const long = 'r4.' + 'x'.repeat(22);
    const error = await connector.update(account.accountId, { sAMAccountName: long }).catch((e: unknown) => e);
    const user = await readOne(`(|(sAMAccountName=r4.short)(sAMAccountName=${long}))`, ['sAMAccountName']);
    expect({ sam: user.sAMAccountName, error: String(error) }).toMatchObject({ sam: 'r4.short', error: expect.stringMatching(/20 characters/) });
  });

  it('P10 a sAMAccountName held elsewhere in the domain is a conflict that names the taken value, also when the department OU of the joiner is new', async () => {
    const elsewhere = `CN=r4.clash,CN=Users,${samba.baseDN}`;
    await admin.add(elsewhere, [
      new Attribute({ type: 'objectClass', values: ['user'] }), new Attribute({ type: 'sAMAccountName', values: ['r4.clash'] }), new Attribute({ type: 'employeeID', values: ['E-OTHER'] }),
    ]);
    // Same joiner, same holder; the only difference is whether OU={department} exists yet.
    await connect().create({ attributes: { sAMAccountName: 'r4.seed', department: 'Sales' }, enabled: true });
    const existingOu = await connect().create({ attributes: { sAMAccountName: 'r4.clash', department: 'Sales', employeeID: 'E-JOINER' }, enabled: true }).catch((e: unknown) => e);
    expect(existingOu).toMatchObject({ code: 'target.conflict', details: { taken: [{ attribute: 'sAMAccountName', value: 'r4.clash' }] } });
    const newOu = await connect().create({ attributes: { sAMAccountName: 'r4.clash', department: 'Brand New Dept', employeeID: 'E-JOINER' }, enabled: true }).catch((e: unknown) => e);
    expect(newOu).toMatchObject({ code: 'target.conflict', details: { taken: [{ attribute: 'sAMAccountName', value: 'r4.clash' }] } });
  });

  it('P11 renaming the sAMAccountName keeps a userPrincipalName the mapping gives', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r4.upnkeep', department: 'Sales', userPrincipalName: 'jane.doe@example.test' }, enabled: true });
    await connector.update(account.accountId, { sAMAccountName: 'r4.upnkeep2' });
    expect((await connector.get(account.accountId))?.attributes.userPrincipalName).toBe('jane.doe@example.test');
  });

  it('P12 deleting a user that holds a child object removes it', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r4.parent', department: 'Sales' }, enabled: true });
    const user = await readOne('(sAMAccountName=r4.parent)', ['1.1']);
    // classStore may sit below a user (per-user software deployment); on Windows, Exchange puts ActiveSync device containers there.
    await admin.add(`CN=child,${String(user.dn)}`, [new Attribute({ type: 'objectClass', values: ['classStore'] })]);
    await connector.delete(account.accountId);
    expect(await connector.get(account.accountId)).toBeUndefined();
  });

  it('P13 a domain policy raised while the connector runs (minPwdLength) is met by the next create', async () => {
    const connector = connect();
    await connector.create({ attributes: { sAMAccountName: 'r4.before', department: 'Sales' }, enabled: true });
    const setMinimum = (length: number) => admin.modify(samba.baseDN, new Change({ operation: 'replace', modification: new Attribute({ type: 'minPwdLength', values: [String(length)] }) }));
    await setMinimum(40);
    try {
      const error = await connector.create({ attributes: { sAMAccountName: 'r4.after', department: 'Sales' }, enabled: true }).then(() => undefined, (e: unknown) => String(e));
      expect(error).toBeUndefined();
    } finally {
      await setMinimum(7);
    }
  });

  it('P14 a group Roster creates gets its name as sAMAccountName (the name Windows tools resolve), not a generated one', async () => {
    const connector = connect();
    const account = await connector.create({ attributes: { sAMAccountName: 'r4.gname', department: 'Sales' }, enabled: true });
    await connector.grant(account.accountId, 'Field Sales');
    const { searchEntries } = await admin.search(`OU=Groups,${samba.rosterOU}`, { scope: 'sub', filter: '(cn=Field Sales)', attributes: ['sAMAccountName', 'groupType'] });
    expect(searchEntries.map((e) => e.sAMAccountName)).toEqual(['Field Sales']);
  });
});
