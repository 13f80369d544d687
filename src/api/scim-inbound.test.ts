import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import type { SourceBatch } from '../core/types.js';
import type { Engine, IngestResult } from '../engine/types.js';
import type { ScimResource } from '../store/types.js';
import { scimInbound, scimUserKeyEntry } from './scim-inbound.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const FIELDS = { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' };
const IDP: SourceConfig = {
  id: 'idp', type: 'scim', key: 'employeeId', fields: FIELDS, delimiter: ',', complete: true, maxMissing: { percent: 20 },
  attributes: { employeeId: `${ENTERPRISE}:employeeNumber` },
};

function user(id: string, employeeNumber: string, over: Record<string, unknown> = {}): ScimResource {
  return {
    resourceType: 'User', id, version: 1, created: '2026-11-27T08:00:00.000Z', lastModified: '2026-11-27T08:00:00.000Z',
    data: { userName: `${id}@example.com`, active: true, [ENTERPRISE]: { employeeNumber }, ...over },
  };
}

/** Just what the hook touches: the config, the state and SCIM parts of the store, ingest and reconcile (recorded). */
function engineStub(resources: readonly ScimResource[] = []) {
  const state = new Map<string, unknown>();
  const calls: { method: string; args: readonly unknown[] }[] = [];
  const engine = {
    config: { sources: [IDP], lifecycle: { terminatedStatuses: ['terminated', 'inactive'] }, scim: { server: { extensions: [] } } },
    store: {
      state: {
        get: async (key: string) => state.get(key),
        set: async (key: string, value: unknown) => void (value === undefined ? state.delete(key) : state.set(key, value)),
      },
      scim: { get: async (_type: string, id: string) => resources.find((r) => r.id === id) },
    },
    async ingest(batch: SourceBatch, actor: string): Promise<Partial<IngestResult>> {
      calls.push({ method: 'ingest', args: [batch, actor] });
      return { affected: batch.records.map((r) => r.key) };
    },
    async reconcileIdentities(ids: readonly string[], actor: string) {
      calls.push({ method: 'reconcileIdentities', args: [ids, actor] });
      return {};
    },
  };
  return { engine: engine as unknown as Engine, state, calls };
}

const NOW = new Date('2026-11-27T09:00:00.000Z');

describe('scimInbound', () => {
  it('ingests a written User as a partial batch, reconciles it, and remembers its key', async () => {
    const boss = user('m1', 'E-1');
    const { engine, state, calls } = engineStub([boss]);
    const hook = scimInbound(engine, 'idp', () => NOW);
    await hook({ kind: 'upsert', resource: user('u2', 'E-2', { active: 'False', [ENTERPRISE]: { employeeNumber: 'E-2', manager: { value: 'm1' } } }) }, 'token:entra');
    expect(calls.map((c) => c.method)).toEqual(['ingest', 'reconcileIdentities']);
    const [batch, actor] = calls[0]!.args as [SourceBatch, string];
    expect(actor).toBe('token:entra');
    expect(batch).toMatchObject({ sourceId: 'idp', complete: false, problems: [] });
    expect(batch.records[0]).toMatchObject({ key: 'E-2', attributes: { employeeId: 'E-2', status: 'inactive', managerId: 'E-1', endDate: '' } });
    expect(calls[1]!.args).toEqual([['E-2'], 'token:entra']);
    expect(state.get(scimUserKeyEntry('u2'))).toBe('E-2');
  });

  it('turns a delete into a terminate record for the remembered key, then forgets it', async () => {
    const { engine, state, calls } = engineStub();
    const hook = scimInbound(engine, 'idp', () => NOW);
    await hook({ kind: 'upsert', resource: user('u1', 'E-1') }, 'token:entra');
    calls.length = 0;
    await hook({ kind: 'delete', id: 'u1' }, 'token:entra');
    const [batch] = calls[0]!.args as [SourceBatch];
    expect(batch).toMatchObject({ complete: false, records: [{ key: 'E-1', attributes: { employeeId: 'E-1', status: 'terminated', endDate: NOW.toISOString() } }] });
    expect(calls[1]!.args).toEqual([['E-1'], 'token:entra']);
    expect(state.has(scimUserKeyEntry('u1'))).toBe(false);
  });

  it('refuses a delete it cannot place and a User without a key, ingesting nothing', async () => {
    const { engine, calls } = engineStub();
    const hook = scimInbound(engine, 'idp', () => NOW);
    await expect(hook({ kind: 'delete', id: 'never-seen' }, 'a')).rejects.toMatchObject({ code: 'store.not_found' });
    await expect(hook({ kind: 'upsert', resource: user('u3', '') }, 'a')).rejects.toMatchObject({
      code: 'source.malformed', message: expect.stringContaining('User u3 (userName u3@example.com) has no value for the key "employeeId"'),
    });
    expect(calls).toEqual([]);
  });

  it('is refused for a source that is not of type scim', () => {
    const { engine } = engineStub();
    expect(() => scimInbound(engine, 'hr')).toThrow(/is not a source of type scim/);
  });
});
