import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import type { Engine } from '../engine/types.js';
import { buildServer } from './server.js';
import { createToken } from './tokens.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCIM_JSON = 'application/scim+json';

/**
 * Inbound SCIM and `managerAccount`: every User write is ingested and its
 * person reconciled (engine.reconcileIdentities) before the SCIM response,
 * so a manager and a report written in one Bulk request (the manager first,
 * as the bulkId reference orders them) end with the report's reference set.
 * A write whose plan creates an account whose reference waits for it (someone
 * who is their own manager, their create having failed before) is followed by
 * a follow-up plan, as any apply is: said in the request log, never in the
 * SCIM response (RFC 7644 has no place for it).
 */
describe('inbound SCIM: manager references and the follow-up plan (review18d)', () => {
  const workspace = useEngineDir('scim-follow-up');
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function start(): Promise<{ engine: Engine; scim: (method: string, url: string, payload?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>; logged: () => Record<string, unknown>[] }> {
    const engine = await workspace.open(`
store: sqlite:./roster.db
sources:
  - { id: idp, type: scim, key: employeeId, attributes: { employeeId: "${ENTERPRISE}:employeeNumber" } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes:
      username: identity.givenName.lowerAscii()
      manager: 'has(managerAccount.id) ? managerAccount.id : ""'
scim:
  server: { enabled: true, source: idp }
`, { log: silentLogger });
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== '')));
    const server = await buildServer(engine, { logger: true, logStream: stream });
    app = server;
    const token = (await createToken(engine.store, 'entra', ['scim'])).token;
    return {
      engine,
      scim: async (method, url, payload) => {
        const res = await server.inject({
          method: method as 'POST', url: `/scim/v2${url}`, headers: { authorization: `Bearer ${token}`, 'content-type': SCIM_JSON },
          ...(payload === undefined ? {} : { payload: payload as object }),
        });
        return { status: res.statusCode, body: res.body === '' ? {} : res.json() };
      },
      logged: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    };
  }
  const user = (givenName: string, employeeNumber: string, manager?: string) => ({
    schemas: [CORE, ENTERPRISE], userName: `${givenName.toLowerCase()}@example.com`, name: { givenName }, active: true,
    [ENTERPRISE]: { employeeNumber, ...(manager === undefined ? {} : { manager: { value: manager } }) },
  });
  const managers = () => Object.fromEntries([...(memoryTargets.get('app')?.accounts.values() ?? [])].map((a) => [a.attributes.username, a.attributes.manager]));
  const followUpLines = (lines: Record<string, unknown>[]) => lines.filter((line) => 'followUpPlanId' in line);
  /** Someone made their own manager (a CEO in many IdPs) by a PATCH after their create failed at the target. */
  async function selfManaged(scim: Awaited<ReturnType<typeof start>>['scim']) {
    memoryTargets.get('app')?.rejectNext(1, { operations: ['create'] });
    const created = await scim('POST', '/Users', user('Cleo', 'C1'));
    expect(created.status).toBe(201);
    expect(managers()).toEqual({});
    const id = created.body.id as string;
    const patched = await scim('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: { value: id } }],
    });
    return { id, patched };
  }

  it('a manager and her report created in one Bulk request end with the report\'s reference set', async () => {
    const { engine, scim } = await start();
    const { status, body } = await scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      // The report first: the bulkId reference runs the manager's POST before it.
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'rob', data: user('Rob', 'R1', 'bulkId:mia') },
        { method: 'POST', path: '/Users', bulkId: 'mia', data: user('Mia', 'M1') },
      ],
    });
    expect(status).toBe(200);
    expect((body.Operations as { status: string }[]).map((op) => op.status)).toEqual(['201', '201']);
    expect(managers()).toEqual({ mia: '', rob: 'mia' });
    // Each write is reconciled on its own: the manager's account existed when the report's plan was made.
    expect((await engine.plan()).changes).toEqual([]);
  });

  it('a report written ahead of a manager it names by employee number gets the reference from the manager\'s write (review19)', async () => {
    const { engine, scim } = await start();
    const { status } = await scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'rob', data: user('Rob', 'R1', 'M1') },
        { method: 'POST', path: '/Users', bulkId: 'mia', data: user('Mia', 'M1') },
      ],
    });
    expect(status).toBe(200);
    // The manager's write planned the manager alone, and its follow-up took in the report written before
    // (docs/configuration.md, managerAccount; engine/outside-reports.ts): no full plan is needed.
    expect(managers()).toEqual({ mia: '', rob: 'mia' });
    expect((await engine.plan()).changes).toEqual([]);
  });

  it('someone made their own manager by a PATCH: the follow-up sets the reference, the request log says so, the SCIM response stays standard', async () => {
    const { engine, scim, logged } = await start();
    const { id, patched } = await selfManaged(scim);
    expect(patched.status).toBe(200);
    expect(Object.keys(patched.body).sort()).toEqual(['active', 'id', 'meta', 'name', 'schemas', 'userName', ENTERPRISE].sort());
    expect(managers()).toEqual({ cleo: 'cleo' });
    const [line, ...more] = followUpLines(logged());
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 30, resourceId: id, changes: 1, applied: 1, failed: 0, pending: 0 });
    const followUps = (await engine.store.audit.list({ kind: 'plan.created' })).map((e) => e.data as { planId: string; followUpOf?: string }).filter((d) => d.followUpOf !== undefined);
    expect(followUps).toEqual([expect.objectContaining({ planId: line?.followUpPlanId, followUpOf: line?.planId })]);
  });

  it('a follow-up whose update fails is a warning in the request log, by ids and counts; the SCIM write still succeeds', async () => {
    const { scim, logged } = await start();
    memoryTargets.get('app')?.rejectNext(1, { operations: ['update'], message: 'manager Cleo Example refused (injected)' });
    const { id, patched } = await selfManaged(scim);
    expect(patched.status).toBe(200);
    expect(patched.body).not.toHaveProperty('followUp');
    expect(managers()).toEqual({ cleo: '' });
    const lines = followUpLines(logged());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, resourceId: id, changes: 1, applied: 0, failed: 1, pending: 0 });
    expect(lines[0]?.msg).toContain('failed');
    // The target's message (it may name the person) stays in the audit log.
    expect(JSON.stringify(lines[0])).not.toContain('Cleo Example');
  });
});
