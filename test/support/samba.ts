import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { makeTestCertificates } from './tls.js';

export interface RunningSamba {
  readonly url: 'ldaps://127.0.0.1:636';
  /** PEM of the CA that signed the server certificate (IP:127.0.0.1 SAN). */
  readonly ca: string;
  readonly bindDN: string;
  readonly password: string;
  readonly baseDN: 'DC=example,DC=test';
  /** OU=Roster,DC=example,DC=test with OU=People and OU=Groups below it, made at provision time. */
  readonly rosterOU: string;
  stop(): Promise<void>;
}

/** The `connection:` fields of an `ad` connector bound to this DC, under the Roster OU; a test adds `users` and `groups`. */
export function adConnection(samba: RunningSamba): { url: string; bindDN: string; password: string; tls: { ca: string }; base: string } {
  return { url: samba.url, bindDN: samba.bindDN, password: samba.password, tls: { ca: samba.ca }, base: samba.rosterOU };
}

const SAMBA = '/usr/sbin/samba';
const SAMBA_TOOL = 'samba-tool';
const ROOT = '/tmp/roster-samba';
/** Provisioning writes absolute paths into smb.conf: every run restores into this same directory. */
const RUN_DIR = join(ROOT, 'run');
const LOCK = join(ROOT, 'lock');
const PASSWORD = 'Roster-Admin-Passw0rd!';
const BASE_DN = 'DC=example,DC=test';
const ROSTER_OU = `OU=Roster,${BASE_DN}`;

function run(command: string, args: readonly string[], cwd?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd, maxBuffer: 16 * 1024 * 1024 });
  if (result.error !== undefined) throw new Error(`${command} could not run (is samba installed? apt-get install -y samba ldap-utils openssl): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args[0] ?? ''} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}

function sambaVersion(): string {
  return run(SAMBA, ['--version']).trim().replace(/[^A-Za-z0-9.-]+/g, '_');
}

function configure(dir: string): void {
  const file = join(dir, 'etc', 'smb.conf');
  const settings = [
    'interfaces = 127.0.0.1',
    'bind interfaces only = yes',
    'server services = ldap, cldap, kdc, drepl, kcc',
    `pid directory = ${dir}/run`,
    `log file = ${dir}/log.samba`,
    'tls enabled = yes',
    `tls keyfile = ${dir}/tls/server.key`,
    `tls certfile = ${dir}/tls/server.pem`,
    `tls cafile = ${dir}/tls/ca.pem`,
    // A throwaway test domain: no fsync per ldb transaction (Samba's own selftest does the same), like olcDbNoSync for slapd.
    'ldb:nosync = true',
  ];
  const keys = new Set(settings.map((s) => s.split(' = ')[0]));
  // Drop what provisioning wrote for the same keys (a later line would win), then put ours first. Idempotent.
  const kept = readFileSync(file, 'utf8').split('\n').filter((line) => !keys.has(line.split('=')[0]?.trim() ?? ''));
  const text = kept.join('\n').replace(/\[global\]\n/, `[global]\n${settings.map((s) => `\t${s}\n`).join('')}`);
  writeFileSync(file, text);
  mkdirSync(join(dir, 'run'), { recursive: true });
}

/** Provision a fresh domain into RUN_DIR once and keep it as a tar: restoring takes ~1.5 s, provisioning ~10 s. */
function cachedProvision(): string {
  const tar = join(ROOT, `${sambaVersion()}-v2.tar`);
  if (existsSync(tar)) return tar;
  rmSync(RUN_DIR, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  mkdirSync(RUN_DIR, { recursive: true });
  run(SAMBA_TOOL, ['domain', 'provision', '--realm=EXAMPLE.TEST', '--domain=EXAMPLE', '--server-role=dc', '--dns-backend=NONE',
    '--use-rfc2307', `--adminpass=${PASSWORD}`, `--targetdir=${RUN_DIR}`, '--host-name=dc1', '--host-ip=127.0.0.1']);
  makeTestCertificates(join(RUN_DIR, 'tls'), 'dc1.example.test', ['dc1.example.test']);
  const sam = join(RUN_DIR, 'private', 'sam.ldb');
  for (const ou of [ROSTER_OU, `OU=People,${ROSTER_OU}`, `OU=Groups,${ROSTER_OU}`]) {
    run(SAMBA_TOOL, ['ou', 'create', ou, '-H', sam, '-s', join(RUN_DIR, 'etc', 'smb.conf')]);
  }
  // employeeID is a common correlation key: index it, as a directory team using it would.
  run(SAMBA_TOOL, ['schema', 'attribute', 'modify', 'Employee-ID', '--searchflags=fATTINDEX', '-H', sam, '-s', join(RUN_DIR, 'etc', 'smb.conf'), '--option=dsdb:schema update allowed=true']);
  const partial = `${tar}.${process.pid}`;
  run('tar', ['-C', RUN_DIR, '-cf', partial, '.']);
  renameSync(partial, tar);
  return tar;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One Samba at a time on this machine (its LDAP ports are fixed): an exclusive lock file naming the holder's pid. */
async function acquireLock(): Promise<void> {
  mkdirSync(ROOT, { recursive: true });
  for (let i = 0; i < 1200; i++) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch {
      const holder = Number(readFileSync(LOCK, 'utf8') || '0');
      if (holder > 0 && !alive(holder)) unlinkSync(LOCK);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`another test process holds ${LOCK} for more than 5 minutes`);
}

function releaseLock(): void {
  try {
    if (readFileSync(LOCK, 'utf8') === String(process.pid)) unlinkSync(LOCK);
  } catch {
    // already gone
  }
}

/** A Samba left running by a crashed earlier run of this harness: stop it by the pid it wrote. */
async function stopLeftover(): Promise<void> {
  const pidFile = join(RUN_DIR, 'run', 'samba.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!(pid > 0) || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

function tlsAnswers(ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: 636, ca, timeout: 1000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitUntilReady(child: ChildProcess, ca: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`samba exited with ${child.exitCode}; see ${RUN_DIR}/log.samba`);
    if (await tlsAnswers(ca)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`samba did not answer on 127.0.0.1:636 within 30 s; see ${RUN_DIR}/log.samba`);
}

async function startFresh(): Promise<RunningSamba> {
  if (!existsSync(SAMBA)) throw new Error(`${SAMBA} is missing: apt-get install -y samba ldap-utils openssl`);
  await acquireLock();
  let child: ChildProcess | undefined;
  try {
    await stopLeftover();
    const tar = cachedProvision();
    rmSync(RUN_DIR, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    mkdirSync(RUN_DIR, { recursive: true });
    run('tar', ['-C', RUN_DIR, '-xf', tar]);
    configure(RUN_DIR);
    const ca = readFileSync(join(RUN_DIR, 'tls', 'ca.pem'), 'utf8');
    // Own process group: stop() ends samba and its worker processes together, by that group's id.
    child = spawn(SAMBA, ['--foreground', '--no-process-group', '-s', join(RUN_DIR, 'etc', 'smb.conf')], { stdio: 'ignore', detached: true });
    await waitUntilReady(child, ca);
    const started = child;
    return {
      url: 'ldaps://127.0.0.1:636',
      ca,
      bindDN: `CN=Administrator,CN=Users,${BASE_DN}`,
      password: PASSWORD,
      baseDN: BASE_DN,
      rosterOU: ROSTER_OU,
      stop: () => stopChild(started),
    };
  } catch (error) {
    if (child !== undefined) await stopChild(child);
    else releaseLock();
    throw error;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  try {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      // Its worker processes outlive the main one for a moment, still writing into RUN_DIR: the next start would find it busy.
      for (let i = 0; i < 100 && alive(-child.pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (alive(-child.pid)) process.kill(-child.pid, 'SIGKILL');
    }
  } catch {
    // the group is already gone
  } finally {
    releaseLock();
  }
}

let shared: { samba: Promise<RunningSamba>; users: number } | undefined;

/**
 * A Samba AD DC on 127.0.0.1:389/636 restored from a cached provision
 * (domain EXAMPLE.TEST). Callers in one process share one instance; stop()
 * ends it when the last caller stops. A missing binary is an error, never a skip.
 */
export async function startSamba(): Promise<RunningSamba> {
  if (shared === undefined) shared = { samba: startFresh(), users: 0 };
  const current = shared;
  current.users += 1;
  let samba: RunningSamba;
  try {
    samba = await current.samba;
  } catch (error) {
    shared = undefined;
    throw error;
  }
  let stopped = false;
  return {
    ...samba,
    async stop() {
      if (stopped) return;
      stopped = true;
      current.users -= 1;
      if (current.users > 0) return;
      if (shared === current) shared = undefined;
      await samba.stop();
    },
  };
}
