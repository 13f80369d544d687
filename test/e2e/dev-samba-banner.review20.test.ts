import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../src/cli/testing.js';

/**
 * scripts/dev-samba.ts (docs/directories.md, "Active Directory") tells the
 * newcomer how examples/ad gets its password. It said `${env:AD_PASSWORD}`
 * had "this default"; it has none (docs/configuration.md, secrets), so
 * `roster validate` failed for whoever believed it. What it prints must be
 * what makes the example valid. Runs the real DC (fixed ports 389/636).
 */

const SCRIPT = fileURLToPath(new URL('../../scripts/dev-samba.ts', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/ad', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'roster-dev-samba-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function validate(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const captured = capturedIo({ cwd: dir, env: { NO_COLOR: '1', ...env } });
  const code = await runCli(['node', 'roster', 'validate', '--config', join(dir, 'examples', 'ad', 'roster.yaml')], captured.io);
  return { code, out: captured.stdout() + captured.stderr() };
}

describe('scripts/dev-samba.ts', () => {
  it('prints the export that examples/ad needs (no default), which makes the example valid; Ctrl-C stops the DC', async () => {
    cpSync(EXAMPLE, join(dir, 'examples', 'ad'), { recursive: true });
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const until = Date.now() + 120_000;
      while (!stdout.includes('Ctrl-C stops it.') && child.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(stdout, stderr).toContain('Ctrl-C stops it.');

      expect(stdout).not.toContain('with this default');
      const exported = /export AD_PASSWORD='([^']+)'/.exec(stdout)?.[1];
      expect(exported).toBe('Roster-Admin-Passw0rd!');

      const without = await validate({});
      expect(without.code).toBe(1);
      expect(without.out).toContain('environment variable AD_PASSWORD is not set');
      const withIt = await validate({ AD_PASSWORD: exported ?? '' });
      expect(withIt.out).toContain('valid:');
      expect(withIt.code).toBe(0);
    } finally {
      child.kill('SIGINT');
      expect(await exit).toBe(0);
    }
    // Its lock is released (another test process may hold the DC by now, under its own pid).
    const lock = '/tmp/roster-samba/lock';
    expect(existsSync(lock) ? readFileSync(lock, 'utf8') : '').not.toBe(String(child.pid));
  }, 180_000);
});
