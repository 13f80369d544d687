import { vi } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { adConnectionSchema, adConnectorFactory } from '../../src/connectors/ad/index.js';
import { ldapConnectionSchema, ldapConnectorFactory } from '../../src/connectors/ldap/index.js';
import { adConnection, startSamba } from '../support/samba.js';
import { startSlapd } from '../support/slapd.js';
import { connectorConformance } from './connector-suite.js';

// Samba hashes each new password (~25 creates/s here): the suite's 2,500-account paging test takes about two minutes.
// The setup may also wait for test/e2e/directory-ad.test.ts to release the one Samba (its LDAP ports are fixed).
vi.setConfig({ testTimeout: 300_000, hookTimeout: 400_000 });

const context = (targetId: string) => ({ targetId, baseDir: '.', log: silentLogger });

connectorConformance('ldap (slapd)', async () => {
  const slapd = await startSlapd({ randomPort: true });
  const config = ldapConnectionSchema.parse({
    url: slapd.url,
    bindDN: slapd.bindDN,
    password: slapd.password,
    users: {
      base: slapd.suffix,
      dn: `uid={uid},ou=people,${slapd.suffix}`,
      key: 'uid',
      attributes: { email: 'mail', displayName: 'displayName' },
      defaults: { cn: '{uid}', sn: '{uid}' },
    },
    groups: { base: `ou=groups,${slapd.suffix}`, names: true, create: true },
    disable: { strategy: 'move', ou: `ou=disabled,${slapd.suffix}` },
  });
  return { connector: ldapConnectorFactory.create(config, context('corp-ldap')), accountKey: 'uid', cleanup: () => slapd.stop() };
});

connectorConformance('ad (samba)', async () => {
  const samba = await startSamba();
  const config = adConnectionSchema.parse({
    ...adConnection(samba),
    // employeeID is the natural key here: the suite's key `zoë.o'brien"; --` is not a valid sAMAccountName (AD refuses `"` and `;`).
    users: { key: 'employeeID', dn: `CN={employeeID},OU=People,${samba.rosterOU}` },
    groups: { base: `OU=Groups,${samba.rosterOU}`, names: true, create: true },
    // Small pages so 300 accounts still cross several (creates with passwords run at ~26/s on Samba).
    pageSize: 50,
  });
  return {
    connector: adConnectorFactory.create(config, context('corp-ad')), accountKey: 'employeeID', pagingAccounts: 300,
    cleanup: () => samba.stop(),
  };
});
