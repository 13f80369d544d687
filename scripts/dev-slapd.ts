/**
 * A local OpenLDAP for examples/ldap, running until Ctrl-C:
 *   npx tsx scripts/dev-slapd.ts [--port 3890]
 * ldap://127.0.0.1:3890, base dc=example,dc=com (ou=people, ou=groups,
 * ou=disabled), bind cn=admin,dc=example,dc=com / secret. Its data lives in a
 * temporary directory that is removed on exit: every start is a fresh directory.
 */
import { parseArgs } from 'node:util';
import { startSlapd } from '../test/support/slapd.js';

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

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await slapd.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
// Keep the event loop alive while slapd runs.
setInterval(() => undefined, 1 << 30);
