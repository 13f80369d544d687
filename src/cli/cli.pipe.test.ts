import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useMemoryTargetProject } from '../../test/support/cli-project.js';

const BIN = fileURLToPath(new URL('../../bin/roster.mjs', import.meta.url));

/** `roster …` as a child process whose stdout reader goes away after the first chunk (`roster plan | head -2`). */
function runReaderClosesEarly(args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string; firstChunk: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let firstChunk = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.once('data', (chunk: Buffer) => {
      firstChunk = chunk.toString('utf8');
      child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, firstChunk }));
  });
}

describe('roster plan | head', () => {
  // Enough people that the plan's output is well over a pipe's buffer (64 KiB): later writes find the pipe closed.
  const rows = Array.from({ length: 1500 }, (_, i) => `E${1000 + i},Given${i},${'x'.repeat(40)}`);
  const project = useMemoryTargetProject('roster-pipe', 'pipe-app', ['employeeId,givenName,note', ...rows].join('\n') + '\n');

  it('ends quietly when stdout is closed: the usual exit code, no EPIPE stack trace', async () => {
    const { code, stderr, firstChunk } = await runReaderClosesEarly(['plan', '--config', 'roster.yaml'], project.dir());
    expect(firstChunk).toMatch(/^Plan /);
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).not.toContain('    at ');
    expect(code).toBe(0);
  });
});
