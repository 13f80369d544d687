import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCertificates } from './tls.js';

export interface SlapdOptions {
  /** 0 or absent with `randomPort`: a free port is picked. Default 3890. */
  readonly port?: number;
  readonly suffix?: string;
  /** Pick a free port (for tests running in parallel). */
  readonly randomPort?: boolean;
  /**
   * Flush every write to disk, as a production directory does. Off by default:
   * tests (and the bench unless asked) run back_mdb with olcDbNoSync.
   */
  readonly durable?: boolean;
  /**
   * Also speak TLS: a throwaway CA signs the server's certificate (for
   * 127.0.0.1 and localhost); slapd answers StartTLS on the ldap:// port and
   * listens on an ldaps:// port too. `require` makes it refuse any operation
   * but StartTLS on a connection without TLS (olcSecurity: tls=1).
   */
  readonly tls?: boolean | { readonly require: boolean };
  /**
   * Keep member / uniqueMember DNs in step with renames (the refint overlay,
   * and memberof's own olcMemberOfRefInt). Default true; false for tests of
   * a directory without it, where a renamed entry's old DN stays in groups.
   */
  readonly refint?: boolean;
  /** More attributes refint keeps in step besides member / uniqueMember (e.g. `manager`); only with refint. */
  readonly refintAttributes?: readonly string[];
  /** The database's olcSizeLimit (e.g. `5`, or `size.soft=5 size.hard=5 size.pr=noEstimate`); default unlimited. */
  readonly sizeLimit?: string;
  /** olcAccess rules put before the default `to * by users read by * none` (for tests of entries the bind DN may not read). */
  readonly acl?: readonly string[];
  /**
   * Also seed `cn=roster,<suffix>` (password `secret`): a bind DN that, unlike
   * the rootDN, is held to the ACLs and limits (`acl`, `sizeLimit`).
   */
  readonly serviceAccount?: boolean;
  /**
   * Load the syncprov overlay (RFC 4533 provider) on the database, with a
   * session log of `sessionlog` operations (default 100; 0 for none: then a
   * refresh from a cookie has the client told who is present instead).
   * `reloadHint` (olcSpReloadHint): a cookie whose change the server cannot
   * find is refused with e-syncRefreshRequired (4096) instead of being
   * answered with every entry.
   */
  readonly syncprov?: boolean | { readonly sessionlog?: number; readonly reloadHint?: boolean };
}

export interface RunningSlapd {
  readonly url: string;
  readonly bindDN: string;
  readonly password: string;
  readonly suffix: string;
  readonly dir: string;
  /** With `tls`: the ldaps:// URL and the CA's PEM. */
  readonly ldapsUrl?: string;
  readonly ca?: string;
  /** With `serviceAccount`: its DN (password `password`, the same as the rootDN's). */
  readonly serviceDN?: string;
  stop(): Promise<void>;
  /** Stop the server process (SIGKILL: as a crash, connections reset), keeping its data and port. */
  kill(): Promise<void>;
  /** Start it again on the same port(s) with the same data (after `kill`). */
  restart(): Promise<void>;
  /** Freeze the server (SIGSTOP): the kernel still accepts connections, nothing answers. */
  pause(): void;
  /** Thaw a paused server (SIGCONT). */
  resume(): void;
  /** The server process's id (the one running now). */
  readonly pid: number | undefined;
  /**
   * Call `listener` when the server process exits without being asked to
   * (not by stop, kill or restart): a crash, or a signal from outside. With
   * its exit code or signal and what it wrote on stderr (it runs with
   * `-d 0`: errors only).
   */
  onExit(listener: (exit: SlapdExit) => void): void;
}

/** How a slapd process ended. */
export interface SlapdExit {
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const MODULES = '/usr/lib/ldap';
const SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis'];
const PASSWORD = 'secret';

/** A free TCP port on 127.0.0.1 (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The syncprov overlay's module line and its overlay entry at index `index`, or nothing. */
function syncprovLdif(syncprov: SlapdOptions['syncprov'], index: number): { readonly module: string; readonly overlay: string } {
  if (syncprov === undefined || syncprov === false) return { module: '', overlay: '' };
  const sessionlog = typeof syncprov === 'object' ? syncprov.sessionlog ?? 100 : 100;
  return {
    module: 'olcModuleLoad: syncprov\n',
    overlay: `
dn: olcOverlay={${index}}syncprov,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcSyncProvConfig
olcOverlay: {${index}}syncprov
${sessionlog > 0 ? `olcSpSessionlog: ${sessionlog}\n` : ''}${typeof syncprov === 'object' && syncprov.reloadHint === true ? 'olcSpReloadHint: TRUE\n' : ''}`,
  };
}

function configLdif(dir: string, suffix: string, rootDN: string, durable: boolean, tls: SlapdOptions['tls'], refint: boolean, limits: Pick<SlapdOptions, 'sizeLimit' | 'acl' | 'serviceAccount' | 'syncprov' | 'refintAttributes'> = {}): string {
  const sync = syncprovLdif(limits.syncprov, refint ? 3 : 2);
  const auth = limits.serviceAccount === true ? ['to attrs=userPassword by anonymous auth by * none'] : [];
  const acl = [...auth, ...(limits.acl ?? []), 'to * by users read by * none'].map((rule, i) => `olcAccess: {${i}}${rule}`).join('\n');
  const tlsFiles = tls === undefined || tls === false ? '' : `olcTLSCACertificateFile: ${dir}/tls/ca.pem
olcTLSCertificateFile: ${dir}/tls/server.pem
olcTLSCertificateKeyFile: ${dir}/tls/server.key
${typeof tls === 'object' && tls.require ? 'olcSecurity: tls=1\n' : ''}`;
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${dir}/slapd.pid
${tlsFiles}
dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: ${MODULES}
olcModuleLoad: back_mdb
olcModuleLoad: memberof
olcModuleLoad: refint
olcModuleLoad: ppolicy
${sync.module}
dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

${SCHEMAS.map((s) => `include: file:///etc/ldap/schema/${s}.ldif`).join('\n\n')}

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: unlimited

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${suffix}
olcRootDN: ${rootDN}
olcRootPW: ${PASSWORD}
olcDbDirectory: ${dir}/data
olcDbNoSync: ${durable ? 'FALSE' : 'TRUE'}
olcDbMaxSize: 1073741824
olcSizeLimit: ${limits.sizeLimit ?? 'unlimited'}
olcDbIndex: objectClass eq
olcDbIndex: entryUUID eq
olcDbIndex: uid,cn,mail eq
olcDbIndex: member,uniqueMember,memberUid eq
olcDbIndex: uidNumber eq
${sync.module === '' ? '' : 'olcDbIndex: entryCSN eq\n'}${acl}

dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {0}memberof
olcMemberOfRefInt: ${refint ? 'TRUE' : 'FALSE'}
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf
${refint ? `
dn: olcOverlay={1}refint,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: {1}refint
olcRefintAttribute: ${['member', 'uniqueMember', ...(limits.refintAttributes ?? [])].join(' ')}
` : ''}
dn: olcOverlay={${refint ? 2 : 1}}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {${refint ? 2 : 1}}ppolicy
${sync.overlay}`;
}

function seedLdif(suffix: string, serviceAccount: boolean): string {
  const dc = /^dc=([^,]+)/i.exec(suffix)?.[1] ?? 'example';
  const ou = (name: string) => `dn: ou=${name},${suffix}\nobjectClass: organizationalUnit\nou: ${name}\n`;
  const service = serviceAccount ? `\ndn: cn=roster,${suffix}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: roster\nuserPassword: ${PASSWORD}\n` : '';
  return `dn: ${suffix}\nobjectClass: dcObject\nobjectClass: organization\ndc: ${dc}\no: ${dc}\n\n${['people', 'groups', 'disabled'].map(ou).join('\n')}${service}`;
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error !== undefined) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilListening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${output()}`);
    if (await answers(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`slapd did not answer on port ${port} within 5 s: ${output()}`);
}

/**
 * A private OpenLDAP server on 127.0.0.1: cn=config built with slapadd -n0
 * (back_mdb without sync, memberof + refint + ppolicy overlays), the suffix
 * seeded with ou=people, ou=groups and ou=disabled. Missing binaries make it
 * throw (tests fail, they do not skip).
 */
export async function startSlapd(options: SlapdOptions = {}): Promise<RunningSlapd> {
  for (const binary of [SLAPD, SLAPADD]) {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: apt-get install -y slapd ldap-utils`);
  }
  const suffix = options.suffix ?? 'dc=example,dc=com';
  const bindDN = `cn=admin,${suffix}`;
  const port = options.randomPort === true || options.port === 0 ? await freePort() : options.port ?? 3890;
  // A fixed port someone else holds: slapd would fail to bind while the other server answers our readiness probe.
  if (await answers(port)) throw new Error(`127.0.0.1:${port} is already in use (another slapd, or a dev-slapd still running?): stop that server or pick another port`);
  const dir = mkdtempSync(join(tmpdir(), 'roster-slapd-'));
  mkdirSync(join(dir, 'slapd.d'));
  mkdirSync(join(dir, 'data'));
  const tls = options.tls !== undefined && options.tls !== false;
  if (tls) makeTestCertificates(join(dir, 'tls'), '127.0.0.1');
  writeFileSync(join(dir, 'config.ldif'), configLdif(dir, suffix, bindDN, options.durable === true, options.tls, options.refint !== false, options));
  writeFileSync(join(dir, 'seed.ldif'), seedLdif(suffix, options.serviceAccount === true));
  try {
    run(SLAPADD, ['-n0', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'config.ldif')]);
    run(SLAPADD, ['-n1', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'seed.ldif')]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const url = `ldap://127.0.0.1:${port}`;
  const tlsPort = tls ? await freePort() : undefined;
  const ldapsUrl = tlsPort === undefined ? undefined : `ldaps://127.0.0.1:${tlsPort}`;
  const listeners = [url, ...(ldapsUrl === undefined ? [] : [ldapsUrl])].map((u) => `${u}/`).join(' ');
  // -d 0 keeps slapd in the foreground, so it is our child and dies with stop().
  let child: ChildProcess;
  let stderr = '';
  /** Set while stop, kill or restart ends the process: that exit is no news. */
  let halting = false;
  const exitListeners: ((exit: SlapdExit) => void)[] = [];
  const launch = async (): Promise<void> => {
    stderr = '';
    const started = spawn(SLAPD, ['-d', '0', '-F', join(dir, 'slapd.d'), '-h', listeners], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    started.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    started.once('exit', (code, signal) => {
      if (halting || child !== started) return;
      const exit = { pid: started.pid, code, signal, stderr };
      for (const listener of exitListeners) listener(exit);
    });
    await waitUntilListening(port, child, () => stderr);
    if (tlsPort !== undefined) await waitUntilListening(tlsPort, child, () => stderr);
  };
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    halting = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    halting = false;
  };
  try {
    await launch();
  } catch (error) {
    child!.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    bindDN,
    password: PASSWORD,
    suffix,
    dir,
    ...(options.serviceAccount === true ? { serviceDN: `cn=roster,${suffix}` } : {}),
    ...(ldapsUrl === undefined ? {} : { ldapsUrl, ca: readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8') }),
    async stop() {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      await halt('SIGKILL');
    },
    async restart() {
      await halt('SIGTERM');
      // A killed slapd leaves its pid file; the new one writes its own.
      rmSync(join(dir, 'slapd.pid'), { force: true });
      for (let attempt = 0; ; attempt++) {
        try {
          await launch();
          return;
        } catch (error) {
          // The port may linger a moment after the old process died.
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
    get pid() {
      return child.pid;
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
  };
}
