import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/slapd.js';

/**
 * scripts/dev-slapd.ts (the README's local OpenLDAP) notices when the slapd
 * it started exits: it says how, and exits non-zero instead of running on
 * in front of nothing. Only the slapd this script started is killed, by its pid.
 */

const SCRIPT = fileURLToPath(new URL('../../scripts/dev-slapd.ts', import.meta.url));
let script: ChildProcess | undefined;

afterEach(async () => {
  if (script !== undefined && script.exitCode === null && script.signalCode === null) {
    const exited = new Promise((resolve) => script?.once('exit', resolve));
    script.kill('SIGTERM');
    await exited;
  }
  script = undefined;
});

interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly dir: string;
  readonly output: () => { stdout: string; stderr: string };
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function start(): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  script = child;
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const until = Date.now() + 20_000;
  while (!/slapd pid \d+/.test(stdout) && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 25));
  const pid = Number(/slapd pid (\d+)/.exec(stdout)?.[1]);
  const dir = /data {5}(\S+)/.exec(stdout)?.[1] ?? '';
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`dev-slapd did not start: ${stdout}${stderr}`);
  expect(stdout).toContain(`ldap://127.0.0.1:${port}`);
  return { child, pid, dir, output: () => ({ stdout, stderr }), exit };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);
}

describe('scripts/dev-slapd.ts when its slapd exits', () => {
  it('says slapd was killed (by which signal, which pid), and exits with status 1, its data removed', async () => {
    const started = await start();
    expect(existsSync(started.dir)).toBe(true);
    process.kill(started.pid, 'SIGKILL');
    const exit = await within(started.exit, 10_000);
    expect(exit).toEqual({ code: 1, signal: null });
    const { stderr } = started.output();
    expect(stderr).toContain(`dev-slapd: slapd (pid ${started.pid}) was killed by SIGKILL`);
    expect(stderr).toMatch(/there is no log file/);
    expect(existsSync(started.dir)).toBe(false);
  });

  it('says with which code slapd exited when it stops by itself (SIGTERM makes slapd shut down and exit 0)', async () => {
    const started = await start();
    process.kill(started.pid, 'SIGTERM');
    const exit = await within(started.exit, 10_000);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(started.output().stderr).toContain(`dev-slapd: slapd (pid ${started.pid}) exited with code 0`);
  });

  it('Ctrl-C (SIGINT to the script) still stops slapd and exits 0, without reporting an unexpected exit', async () => {
    const started = await start();
    started.child.kill('SIGINT');
    const exit = await within(started.exit, 10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(started.output().stderr).not.toContain('dev-slapd: slapd');
    let alive = true;
    try {
      process.kill(started.pid, 0);
    } catch {
      alive = false;
    }
    expect(alive).toBe(false);
  });
});
