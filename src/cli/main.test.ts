import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, type FakeEngine } from '../api/testing/fake-engine.js';
import type { Engine } from '../engine/types.js';
import type { CliIo } from './io.js';
import { runCli } from './main.js';
import { capturedIo } from './testing.js';

/** Commands run in-process against the fake engine (kept open across commands). */
describe('roster CLI over a fake engine', () => {
  let engine: FakeEngine;
  let dir: string;
  const run = async (args: string[], overrides: Partial<CliIo> = {}) => {
    const captured = capturedIo({
      cwd: dir,
      openEngine: async (): Promise<Engine> => ({ ...engine, close: async () => {} }),
      ...overrides,
    });
    const code = await runCli(['node', 'roster', ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  beforeEach(async () => {
    engine = await createFakeEngine();
    dir = await mkdtemp(join(tmpdir(), 'roster-cli-'));
  });
  afterEach(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('plan --json prints exactly one JSON object with the documented keys', async () => {
    const { code, stdout } = await run(['plan', '--json']);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(Object.keys(plan).sort()).toEqual(['basis', 'changes', 'diagnostics', 'held', 'holds', 'id', 'summary']);
    expect(plan.summary).toEqual({ create: 2 });
    expect(plan.changes[0]).toEqual({ id: 'app:E1:create', identity: 'E1', target: 'app', action: 'create', before: null, after: expect.any(Object), reasons: ['test'] });
  });

  it('plan prints a summary and a table of changes; --identity narrows it', async () => {
    const { code, stdout } = await run(['plan', '--identity', 'E9']);
    expect(code).toBe(0);
    expect(stdout).toContain('app: 1 create');
    expect(stdout).toMatch(/ACTION\s+TARGET\s+IDENTITY\s+CHANGES\s+REASONS/);
    expect(stdout).toMatch(/create\s+app\s+E9\s+username=e9/);
    expect(engine.calls.find((c) => c.method === 'plan')?.args[0]).toEqual({ identity: 'E9', actor: expect.stringMatching(/^cli:/) });
  });

  it('plan --out then apply --plan --yes applies the saved plan', async () => {
    expect((await run(['plan', '--out', 'plan.json'])).code).toBe(0);
    const saved = JSON.parse(await readFile(join(dir, 'plan.json'), 'utf8'));
    const { code, stdout } = await run(['apply', '--plan', 'plan.json', '--yes']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Plan ${saved.id}: 2 applied, 0 failed`);
    expect(engine.calls.filter((c) => c.method === 'plan')).toHaveLength(1);
  });

  it('apply of a stale saved plan explains what to do and exits 1', async () => {
    await run(['plan', '--out', 'plan.json']);
    const before = await engine.store.state.serial();
    await engine.ingest({ sourceId: 'hr', records: [{ key: 'E5', attributes: {} }], problems: [], complete: false, rowsRead: 1 }, 'test');
    const after = await engine.store.state.serial();
    const { code, stderr } = await run(['apply', '--plan', 'plan.json', '--yes']);
    expect(code).toBe(1);
    expect(stderr).toContain(`the state changed since this plan was made (serial ${before} → ${after}); run roster plan again`);
  });

  it('apply refuses without --yes when not on a terminal, and asks on a terminal', async () => {
    const refused = await run(['apply']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');
    expect(engine.calls.some((c) => c.method === 'apply')).toBe(false);

    const questions: string[] = [];
    const declined = await run(['apply'], { isTTY: true, confirm: async (q) => (questions.push(q), false) });
    expect(declined.code).toBe(0);
    expect(questions).toEqual(['Apply 2 changes?']);
    expect(declined.stdout).toContain('Cancelled');
    expect(engine.calls.some((c) => c.method === 'apply')).toBe(false);

    const accepted = await run(['apply'], { isTTY: true, confirm: async () => true });
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('2/2 (100%)');
  });

  it('sync --yes --json runs engine.sync and prints one JSON object', async () => {
    const { code, stdout } = await run(['sync', '--yes', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ingests: [], plan: { summary: { create: 2 } }, result: { applied: 2 } });
  });

  it('explain shows state, accounts and which role gives each entitlement', async () => {
    await engine.ingest({ sourceId: 'hr', records: [{ key: 'E1', attributes: { givenName: 'Zoë' } }], problems: [], complete: false, rowsRead: 1 }, 't');
    const { code, stdout } = await run(['explain', 'E1']);
    expect(code).toBe(0);
    expect(stdout).toContain('E1 from source hr: active');
    expect(stdout).toContain('Target app');
    expect(stdout).toMatch(/\+ staff .*role:everyone/);
    const missing = await run(['explain', 'E404']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no identity 'E404'");
  });

  it('token create prints the token once; list never shows it; revoke works', async () => {
    const created = await run(['token', 'create', 'workday', '--scope', 'push:hr', '--scope', 'api:read', '--json']);
    expect(created.code).toBe(0);
    const { id, token, scopes } = JSON.parse(created.stdout);
    expect(token).toMatch(/^rst_/);
    expect(scopes).toEqual(['push:hr', 'api:read']);
    const list = await run(['token', 'list']);
    expect(list.stdout).toContain('workday');
    expect(list.stdout).not.toContain(token);
    expect((await run(['token', 'revoke', id])).code).toBe(0);
    expect((await run(['token', 'revoke', 'nope'])).code).toBe(1);
    expect((await run(['token', 'create', 'x', '--scope', 'root'])).code).toBe(2);
  });

  it('audit verify and export', async () => {
    await engine.store.audit.append([{ kind: 'plan.created', actor: 'cli:test', data: { n: 1 } }]);
    const verify = await run(['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('intact: 1 entries');
    const exported = await run(['audit', 'export', '--format', 'csv']);
    expect(exported.stdout.split('\r\n')[0]).toBe('seq,at,kind,actor,identity,target,reasons,before,after,data,prevHash,hash');
    await run(['audit', 'export', '--format', 'jsonl', '--out', 'audit.jsonl']);
    expect(JSON.parse((await readFile(join(dir, 'audit.jsonl'), 'utf8')).trim())).toMatchObject({ seq: 1, kind: 'plan.created' });
    expect((await run(['audit', 'export', '--format', 'xml'])).code).toBe(2);
  });

  it('status --json reports serial, identities by state, accounts and queue per target', async () => {
    await engine.ingest({ sourceId: 'hr', records: [{ key: 'E1', attributes: {} }, { key: 'E2', attributes: { status: 'terminated' } }], problems: [], complete: false, rowsRead: 2 }, 't');
    const { code, stdout } = await run(['status', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      store: 'sqlite', identities: { total: 2, active: 1, terminated: 1 },
      targets: [{ id: 'app', accounts: 0, queue: { pending: 0, running: 0, done: 0, failed: 0 } }],
    });
  });

  it('serve listens, prints the URL and shuts down on a signal', async () => {
    const { code, stdout, stderr } = await run(['serve', '--port', '0']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
    expect(stderr).toContain('SIGTERM: shutting down');
  });

  it('usage errors exit 2; --help exits 0', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['explain'])).code).toBe(2);
    expect((await run(['serve', '--port', 'http'])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('validate');
  });
});
