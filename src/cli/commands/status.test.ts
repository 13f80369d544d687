import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../engine/index.js';
import type { Engine } from '../../engine/types.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';
import { collectStatus } from './status.js';

/**
 * `roster status --check`: a SCIM target whose discovery is refused (401)
 * says so with the URL and status, next to a target that works, instead of
 * failing job after job.
 */
describe('status --check', () => {
  let dir: string;
  let server: Server;
  let engine: Engine;
  const TOKEN = 'never-logged-token-123';

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/scim+json' });
      response.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: 'bad token' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    dir = mkdtempSync(join(tmpdir(), 'roster-status-'));
    writeFileSync(join(dir, 'employees.csv'), 'employeeId,userName\n');
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId }
  - id: saas
    type: scim
    connection:
      baseUrl: http://127.0.0.1:${port}/scim/v2
      allowInsecureHttp: true
      auth: { type: bearer, token: ${TOKEN} }
    accountKey: userName
    attributes: { userName: identity.userName }
`);
    engine = await openEngine(join(dir, 'roster.yaml'));
  });
  afterAll(async () => {
    await engine?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports each target: ok, or the failed check with its reason and no secret', async () => {
    const status = await collectStatus(engine, { check: true });
    const app = status.targets.find((t) => t.id === 'app');
    const saas = status.targets.find((t) => t.id === 'saas');
    expect(app?.check).toEqual({ ok: true, ms: expect.any(Number) });
    expect(saas?.check).toMatchObject({ ok: false, code: 'target.rejected' });
    expect(saas?.check?.message).toMatch(/discovery/i);
    expect(saas?.check?.message).toContain('401');
    expect(JSON.stringify(status)).not.toContain(TOKEN);
  });

  it('says what --check checked, the failed target with its code, and exits 1', async () => {
    const captured = capturedIo({ cwd: dir });
    const code = await runCli(['node', 'roster', 'status', '--check', '--config', join(dir, 'roster.yaml')], captured.io);
    expect(code).toBe(1);
    expect(captured.stdout()).toMatch(/^Connections checked: app ok \(\d+ ms\), saas failed \(target\.rejected, \d+ ms\)$/m);
  });

  it('checks nothing without --check', async () => {
    const status = await collectStatus(engine);
    expect(status.targets.every((t) => t.check === undefined)).toBe(true);
  });
});
