import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import type { Connector } from '../connectors/types.js';
import { RosterError } from '../core/errors.js';
import { runCli } from '../cli/main.js';
import { capturedIo } from '../cli/testing.js';
import { checkTargets } from './check-targets.js';

/** A connector whose check() does what `check` says; nothing else is called. */
function connector(check: () => Promise<void>): Connector {
  return { check } as unknown as Connector;
}
const after = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `roster status --check` times each target's check and says which was slow or timed out. */
describe('checkTargets timings (review11)', () => {
  it('times every check; marks a slow pass, a check past the deadline and a connector timeout', async () => {
    const started = performance.now();
    const checks = await checkTargets(new Map([
      ['fast', connector(async () => {})],
      ['slow', connector(() => after(120))],
      ['hung', connector(() => new Promise<void>(() => {}))],
      ['refused', connector(() => Promise.reject(new RosterError('target.rejected', 'HTTP 401 (bad token)')))],
      ['ldap-timeout', connector(() => after(10).then(() => { throw new RosterError('target.unavailable', 'check on corp: cannot reach the directory (Operation timed out)'); }))],
    ]), { timeoutMs: 300, slowMs: 100 });
    const elapsed = performance.now() - started;
    const by = new Map(checks.map((c) => [c.target, c]));
    expect(by.get('fast')).toEqual({ target: 'fast', ok: true, ms: expect.any(Number) });
    expect(by.get('fast')!.ms!).toBeLessThan(100);
    expect(by.get('slow')).toMatchObject({ ok: true, slow: true });
    expect(by.get('slow')!.ms!).toBeGreaterThanOrEqual(100);
    expect(by.get('hung')).toMatchObject({ ok: false, timedOut: true, code: 'target.unavailable', message: 'no answer within 300 ms (the check was abandoned)' });
    expect(by.get('hung')!.ms!).toBeGreaterThanOrEqual(290);
    expect(by.get('refused')).toEqual({ target: 'refused', ok: false, ms: expect.any(Number), code: 'target.rejected', message: 'HTTP 401 (bad token)' });
    expect(by.get('ldap-timeout')).toMatchObject({ ok: false, timedOut: true, code: 'target.unavailable' });
    // All at once: the hung check is abandoned at its deadline, not waited for.
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('roster status --check shows each check\'s time (review11)', () => {
  let dir = '';
  let server: Server;
  const TARGET = 'r11-check-app';

  beforeAll(async () => {
    // A SCIM service that accepts the connection and never answers.
    server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    dir = mkdtempSync(join(tmpdir(), 'roster-r11-check-'));
    writeFileSync(join(dir, 'hr.csv'), 'employeeId,userName\n');
    writeFileSync(join(dir, 'roster.yaml'), `store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: ${TARGET}
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId }
  - id: saas
    type: scim
    connection: { baseUrl: "http://127.0.0.1:${port}/scim/v2", allowInsecureHttp: true, auth: { type: bearer, token: t-r11 } }
    accountKey: userName
    attributes: { userName: identity.userName }
`);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    memoryTargets.delete(TARGET);
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async (...args: string[]) => {
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', 'status', '--check', '--check-timeout', '250', ...args, '--config', join(dir, 'roster.yaml')], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  it('text: the ms of each check, and which one timed out', async () => {
    const run = await status();
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^Connections checked: ${TARGET} ok \\(\\d+ ms\\), saas timed out \\(target\\.unavailable, \\d+ ms\\)$`, 'm'));
    expect(run.stdout).toMatch(/saas .*check timed out after \d+ ms: no answer within 250 ms/);
  });

  it('--json: ms, and timedOut', async () => {
    const run = await status('--json');
    expect(run.code).toBe(1);
    const targets = (JSON.parse(run.stdout) as { targets: { id: string; check: Record<string, unknown> }[] }).targets;
    expect(targets.find((t) => t.id === TARGET)?.check).toEqual({ ok: true, ms: expect.any(Number) });
    const saas = targets.find((t) => t.id === 'saas')?.check;
    expect(saas).toMatchObject({ ok: false, timedOut: true, code: 'target.unavailable' });
    expect(saas?.ms).toBeGreaterThanOrEqual(240);
  });

  it('refuses a timeout that is not a number of milliseconds', async () => {
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', 'status', '--check', '--check-timeout', '2s', '--config', join(dir, 'roster.yaml')], captured.io);
    expect(code).toBe(2);
    expect(captured.stderr()).toContain("expected a whole number of milliseconds, got '2s'");
  });
});
