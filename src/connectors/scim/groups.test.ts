import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import { scimConnectionSchema } from './config.js';
import { listResponse, SERVICE_PROVIDER_CONFIG, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from './fake-server.js';
import { MemberQueue, memberOperations } from './groups.js';
import { ScimHttp } from './http.js';
import { scimConnectorFactory } from './index.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('memberOperations', () => {
  it('joins runs of adds into one operation and removes each member by a valuePath, escaped', () => {
    expect(memberOperations([
      { op: 'add', userId: 'a' }, { op: 'add', userId: 'b' }, { op: 'remove', userId: 'c"d' }, { op: 'add', userId: 'e' },
    ])).toEqual([
      { op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
      { op: 'remove', path: 'members[value eq "c\\"d"]' },
      { op: 'add', path: 'members', value: [{ value: 'e' }] },
    ]);
  });
});

/** A fake holding users u0…u249 and one group "eng" whose PATCHes the test inspects. */
async function connect(profile: string, patchGroup: (request: FakeRequest) => FakeResponse = () => ({ status: 204 })) {
  server = await startFakeServer((request) => {
    if (request.path.endsWith('/ServiceProviderConfig')) return { body: SERVICE_PROVIDER_CONFIG };
    if (request.method === 'PATCH') return patchGroup(request);
    if (request.path.endsWith('/Groups')) {
      const filter = request.query.get('filter') ?? '';
      return { body: listResponse(filter.startsWith('displayName') ? [{ id: 'g1', displayName: 'eng' }] : []) };
    }
    const id = decodeURIComponent(request.path.split('/').pop() ?? '');
    return { body: { id, userName: id, active: true, groups: profile === 'generic' ? [{ value: 'g1', display: 'eng' }] : [] } };
  });
  const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' }, profile });
  return scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
}

const patches = () => (server?.requests ?? []).filter((r) => r.method === 'PATCH');
const members = (request: FakeRequest) => ((request.body as { Operations: Array<{ value?: unknown[] }> }).Operations).flatMap((o) => o.value ?? [null]).length;

describe('group member batches', () => {
  it('aws: 250 concurrent grants become PATCHes of at most 100 membership changes (patchgroup.html)', async () => {
    const connector = await connect('aws');
    await Promise.all(Array.from({ length: 250 }, (_, i) => connector.grant(`u${i}`, 'eng')));
    expect(patches().every((p) => p.path.endsWith('/Groups/g1'))).toBe(true);
    const sizes = patches().map(members);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(250);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes.length).toBeLessThan(25); // coalesced: grants arriving together share a PATCH
    // The one group lookup was shared by all 250 grants.
    expect(server?.requests.filter((r) => r.query.get('filter') === 'displayName eq "eng"')).toHaveLength(1);
  });

  it('a batch of revokes that fails with noTarget is replayed one by one, a missing member counting as removed', async () => {
    await connect('generic', (request) => {
      const operations = (request.body as { Operations: unknown[] }).Operations;
      if (operations.length > 1) return { status: 400, body: { scimType: 'noTarget', detail: 'no such member' } };
      return JSON.stringify(operations).includes('u1') ? { status: 400, body: { scimType: 'noTarget' } } : { status: 204 };
    });
    const auth = { authorization: async () => 'Bearer t', rejected: () => false };
    const http = new ScimHttp({ baseUrl: `${server?.url}/scim/v2`, targetId: 'app', auth, timeoutMs: 5000, concurrency: 4, maxRetries: 0 });
    const search = async () => ({ paging: { pageSize: 100, pagination: 'index' as const }, filter: true, or: true, patch: true });
    const queue = new MemberQueue({ http, targetId: 'app', search }, 100);
    await Promise.all(['u0', 'u1', 'u2'].map((id) => queue.change('g1', 'remove', id)));
    expect(patches().map((p) => (p.body as { Operations: unknown[] }).Operations.length)).toEqual([3, 1, 1, 1]);
  });

  it('a failed batch fails every grant in it, with the server error', async () => {
    const connector = await connect('aws', () => ({ status: 400, body: { scimType: 'invalidValue', detail: 'bad member' } }));
    const results = await Promise.allSettled(['u0', 'u1'].map((id) => connector.grant(id, 'eng')));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toContain('invalidValue: bad member');
    expect(patches()).toHaveLength(1);
  });
});
