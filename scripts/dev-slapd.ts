/**
 * A local OpenLDAP for examples/ldap, running until Ctrl-C:
 *   npx tsx scripts/dev-slapd.ts [--port 3890] [--syncprov]
 * ldap://127.0.0.1:3890, base dc=example,dc=com (ou=people, ou=groups,
 * ou=disabled), bind cn=admin,dc=example,dc=com / secret. `--syncprov` loads
 * the syncprov overlay (session log of 100 changes, `entryCSN` and
 * `entryUUID` indexed for equality, as docs/directory-sources.md recommends),
 * so an `ldap` source can use `changes: syncrepl`. Its data lives in a
 * temporary directory that is removed on exit: every start is a fresh directory.
 * If slapd exits by itself (a crash, or killed), the script says how and
 * exits with status 1.
 */
import { parseArgs } from 'node:util';
import { startSlapd, type SlapdExit } from '../test/support/slapd.js';
import { runUntilStopped } from './run-until-stopped.js';

/** With --syncprov: the changes syncprov remembers (olcSpSessionlog); deletions older than that come as a list of who is present. */
const SESSION_LOG = 100;

const { values } = parseArgs({ options: { port: { type: 'string', default: '3890' }, syncprov: { type: 'boolean', default: false } } });
const port = Number(values.port);
const syncprov = values.syncprov === true;
const slapd = await startSlapd({ port, ...(syncprov ? { syncprov: { sessionlog: SESSION_LOG } } : {}) }).catch((error: unknown) => {
  // Said in a sentence, not as a stack: a taken port is the usual cause (docs/directories.md, "On another port").
  process.stderr.write([
    `dev-slapd: ${error instanceof Error ? error.message : String(error)}`,
    `  Another port: npx tsx scripts/dev-slapd.ts --port ${port + 1}${syncprov ? ' --syncprov' : ''}, then change url: in your copy of examples/ldap/roster.yaml to ldap://127.0.0.1:${port + 1}.`,
    '',
  ].join('\n'));
  process.exit(1);
});

/** What to tell the user when slapd is gone: how it ended and what it said (slapd runs with -d 0, logging errors only, to stderr). */
function exitReport(exit: SlapdExit, dir: string): string {
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
  const said = exit.stderr.trim();
  return [
    `dev-slapd: slapd (pid ${exit.pid ?? 'unknown'}) ${how}; the directory at ${slapd.url} is gone.`,
    said === ''
      ? '  It wrote nothing: it runs in the foreground with -d 0, which logs only errors, to its stderr (captured here); there is no log file.'
      : `  Its output (stderr; there is no log file):\n${said.split('\n').map((line) => `    ${line}`).join('\n')}`,
    `  Its data (${dir}) is removed. Start the script again for a fresh directory.`,
    '',
  ].join('\n');
}

slapd.onExit((exit) => {
  process.stderr.write(exitReport(exit, slapd.dir));
  void slapd.stop().catch(() => undefined).finally(() => process.exit(1));
});

// Ctrl-C handled before anything is said: a caller that reads the pid and sends SIGINT at once must not find the default handler.
runUntilStopped(slapd);

process.stdout.write([
  `OpenLDAP is listening on ${slapd.url} (slapd pid ${slapd.pid ?? 'unknown'})`,
  `  base     ${slapd.suffix}  (ou=people, ou=groups, ou=disabled)`,
  `  bind DN  ${slapd.bindDN}`,
  `  password ${slapd.password}   (examples/ldap reads it from \${env:LDAP_PASSWORD}, which has no default: export LDAP_PASSWORD=${slapd.password})`,
  `  data     ${slapd.dir}  (removed on exit)`,
  syncprov
    ? `  syncprov loaded (session log ${SESSION_LOG}; entryCSN, entryUUID indexed): an ldap source may use changes: syncrepl`
    : '  syncprov not loaded: an ldap source with changes: syncrepl fails here (start with --syncprov)',
  'Ctrl-C stops it; if slapd exits by itself, this script says so and exits with status 1.',
  '',
].join('\n'));

