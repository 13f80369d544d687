/**
 * A local OpenLDAP for examples/ldap, running until Ctrl-C:
 *   npx tsx scripts/dev-slapd.ts [--port 3890]
 * ldap://127.0.0.1:3890, base dc=example,dc=com (ou=people, ou=groups,
 * ou=disabled), bind cn=admin,dc=example,dc=com / secret. Its data lives in a
 * temporary directory that is removed on exit: every start is a fresh directory.
 */
import { parseArgs } from 'node:util';
import { startSlapd } from '../test/support/slapd.js';
import { runUntilStopped } from './run-until-stopped.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3890' } } });
const slapd = await startSlapd({ port: Number(values.port) });

process.stdout.write([
  `OpenLDAP is listening on ${slapd.url}`,
  `  base     ${slapd.suffix}  (ou=people, ou=groups, ou=disabled)`,
  `  bind DN  ${slapd.bindDN}`,
  `  password ${slapd.password}   (examples/ldap reads it from \${env:LDAP_PASSWORD}, default "secret")`,
  `  data     ${slapd.dir}  (removed on exit)`,
  'Ctrl-C stops it.',
  '',
].join('\n'));

runUntilStopped(slapd);
