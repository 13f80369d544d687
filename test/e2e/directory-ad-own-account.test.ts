import { Attribute, type Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adConnectionSchema, adConnectorFactory, type AdConnector } from '../../src/connectors/ad/index.js';
import { guidToString } from '../../src/connectors/ad/guid.js';
import { silentLogger } from '../../src/core/log.js';
import { adConnection, startSamba, type RunningSamba } from '../support/samba.js';
import { adminClient } from './directory-config.js';

/**
 * The AD connector says which user it binds as (Connector.ownAccountId), by
 * any bind name AD takes: a DN, a UPN whose name is not the sAMAccountName,
 * or DOMAIN\name. Reconcile never acts on that account as an orphan (the
 * engine side: test/e2e/reconcile-own-bind-account.test.ts, on slapd).
 */
describe('AD: the account the connector binds as', () => {
  let samba: RunningSamba;
  let admin: Client;
  const connectors: AdConnector[] = [];
  const PASSWORD = 'Own-Account-Passw0rd!20';
  const dn = () => `CN=Roster Service 20,${samba.rosterOU}`;
  let guid: string;

  beforeAll(async () => {
    samba = await startSamba();
    admin = await adminClient(samba);
    await admin.del(dn()).catch(() => undefined);
    await admin.add(dn(), [
      new Attribute({ type: 'objectClass', values: ['user'] }), new Attribute({ type: 'sAMAccountName', values: ['svc-r20'] }),
      new Attribute({ type: 'userPrincipalName', values: ['roster.service20@example.test'] }), new Attribute({ type: 'userAccountControl', values: ['512'] }),
      new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${PASSWORD}"`, 'utf16le')] }),
    ]);
    const { searchEntries: [entry] } = await admin.search(dn(), { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    guid = guidToString(entry?.objectGUID as Buffer);
  });
  afterAll(async () => {
    for (const connector of connectors) await connector.close();
    await admin?.del(dn()).catch(() => undefined);
    await admin?.unbind();
    await samba?.stop();
  });

  const connect = (bindDN: string): AdConnector => {
    const config = adConnectionSchema.parse({ ...adConnection(samba), bindDN, password: PASSWORD, users: { dn: `CN={sAMAccountName},${samba.rosterOU}`, upnSuffix: 'example.test' } });
    const connector = adConnectorFactory.create(config, { targetId: 'corp-ad', baseDir: '.', log: silentLogger }) as AdConnector;
    connectors.push(connector);
    return connector;
  };

  it('finds it by DN, by a UPN that is not its sAMAccountName, and by DOMAIN\\name', async () => {
    expect(await connect(dn()).ownAccountId()).toBe(guid);
    expect(await connect('roster.service20@example.test').ownAccountId()).toBe(guid);
    expect(await connect('EXAMPLE\\svc-r20').ownAccountId()).toBe(guid);
  });
});
