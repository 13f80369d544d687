/**
 * A local Samba AD DC for examples/ad, running until Ctrl-C (needs root: the
 * LDAP ports 389/636 are fixed in Samba):
 *   npx tsx scripts/dev-samba.ts
 * ldaps://127.0.0.1:636, realm EXAMPLE.TEST, base DC=example,DC=test with
 * OU=Roster (OU=People, OU=Groups) below it. The CA that signed the server
 * certificate is written to the path printed (examples/ad points at it).
 * Every start restores a freshly provisioned domain.
 */
import { writeFileSync } from 'node:fs';
import { startSamba } from '../test/support/samba.js';
import { runUntilStopped } from './run-until-stopped.js';

/** Where examples/ad/roster.yaml expects the CA (connection.tls.ca). */
export const DEV_SAMBA_CA = '/tmp/roster-samba/ca.pem';

const samba = await startSamba();
writeFileSync(DEV_SAMBA_CA, samba.ca);

// Ctrl-C handled before anything is said (as dev-slapd.ts).
runUntilStopped(samba);

process.stdout.write([
  `Samba AD DC is listening on ${samba.url} (realm EXAMPLE.TEST)`,
  `  base     ${samba.baseDN}; Roster works below ${samba.rosterOU}`,
  `  CA file  ${DEV_SAMBA_CA}`,
  `  bind DN  ${samba.bindDN}`,
  `  password ${samba.password}   (examples/ad reads it from \${env:AD_PASSWORD}, which has no default: export AD_PASSWORD='${samba.password}')`,
  'Ctrl-C stops it.',
  '',
].join('\n'));

