import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/slapd.js';

/**
 * scripts/dev-slapd.ts on a port another server holds (docs/directories.md:
 * "--port 3891 when 3890 is taken"). It used to print "OpenLDAP is listening
 * on …" because the other server answered its readiness probe, then report
 * that its own slapd exited: a newcomer's next commands went to whatever held
 * the port. It must say the port is taken, and nothing else.
 */

const SCRIPT = fileURLToPath(new URL('../../scripts/dev-slapd.ts', import.meta.url));
let holder: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (holder === undefined ? resolve(undefined) : holder.close(resolve)));
  holder = undefined;
});

function run(port: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGINT'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('scripts/dev-slapd.ts on a port that is taken', () => {
  it('says the port is in use and which --port to try, exits 1, and never claims to be listening', async () => {
    const port = await freePort();
    const server = createServer((socket) => socket.destroy());
    holder = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

    const result = await run(port);

    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('listening');
    expect(result.stderr).toContain(`dev-slapd: 127.0.0.1:${port} is already in use`);
    expect(result.stderr).toContain(`--port ${port + 1}`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);
});
