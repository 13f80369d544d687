import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import type { Connector } from '../types.js';
import { scimConnectionSchema } from './config.js';
import { listResponse, SERVICE_PROVIDER_CONFIG, startFakeServer, type FakeRequest, type FakeServer } from './fake-server.js';
import { scimConnectorFactory } from './index.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const MANY = Array.from({ length: 2000 }, (_, i) => ({ value: `m${i}` }));

/**
 * Group "eng" (g1) with 2000 members, sent unless excludedAttributes=members is asked for (or, with
 * `refusesExclusion`, a 400 to any request that asks). User u's `groups` names g1 without `display`.
 */
async function connect(options: { profile?: string; patch?: boolean; refusesExclusion?: boolean } = {}): Promise<Connector> {
  server = await startFakeServer((request) => {
    if (request.path.endsWith('/ServiceProviderConfig')) return { body: { ...SERVICE_PROVIDER_CONFIG, patch: { supported: options.patch ?? true } } };
    const excluded = request.query.get('excludedAttributes') === 'members';
    if (excluded && options.refusesExclusion) return { status: 400, body: { status: '400', scimType: 'invalidValue', detail: 'excludedAttributes is not supported' } };
    const group = { id: 'g1', displayName: 'eng', ...(excluded ? {} : { members: MANY }) };
    if (request.method === 'GET' && request.path.endsWith('/Groups')) return { body: listResponse([group]) };
    if (request.method === 'GET' && request.path.endsWith('/Groups/g1')) return { body: group };
    if (request.method === 'GET' && request.path.endsWith('/Users/u')) return { body: { id: 'u', userName: 'u', active: true, groups: [{ value: 'g1' }] } };
    if (request.method === 'GET' && request.path.endsWith('/Users/v')) return { body: { id: 'v', userName: 'v', active: true, groups: [] } };
    if (request.method === 'PATCH' || request.method === 'PUT') return { status: 204 };
    return { status: 404 };
  });
  const config = scimConnectionSchema.parse({
    baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' }, ...(options.profile === undefined ? {} : { profile: options.profile }),
  });
  return scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
}
const groupReads = (): FakeRequest[] => server?.requests.filter((r) => r.method === 'GET' && r.path.includes('/Groups')) ?? [];
const excludes = (request: FakeRequest | undefined) => request?.query.get('excludedAttributes') ?? null;

describe('scim groups (review 7): lookups that need only the id or the name do not fetch the members', () => {
  it('finding a group by displayName (a grant) asks for excludedAttributes=members', async () => {
    const connector = await connect();
    await connector.grant('v', 'eng');
    const lookups = groupReads().filter((r) => r.path.endsWith('/Groups'));
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.map(excludes)).toEqual(lookups.map(() => 'members'));
    expect(server?.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('the name of a group the user\'s groups list without display is read without its members', async () => {
    const connector = await connect();
    expect((await connector.get('u'))?.entitlements).toEqual(['eng']);
    const reads = groupReads();
    expect(reads.map((r) => `${r.path.split('/').pop() ?? ''} ${excludes(r)}`)).toEqual(['g1 members']);
  });

  it('memberships by a member filter on /Groups (AWS) ask for the groups without their members', async () => {
    const connector = await connect({ profile: 'aws' });
    expect((await connector.get('v'))?.entitlements).toEqual(['eng']);
    const reads = groupReads();
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.map(excludes)).toEqual(reads.map(() => 'members'));
  });

  it('a server that refuses excludedAttributes (400) is asked again without it, and not asked with it again', async () => {
    const connector = await connect({ profile: 'aws', refusesExclusion: true });
    expect((await connector.get('v'))?.entitlements).toEqual(['eng']);
    expect((await connector.get('v'))?.entitlements).toEqual(['eng']);
    expect(groupReads().map(excludes)).toEqual(['members', null, null]);
  });

  it('a grant on a server that refuses excludedAttributes still finds the group and adds the member', async () => {
    const connector = await connect({ refusesExclusion: true });
    await connector.grant('v', 'eng');
    expect(groupReads().map(excludes)).toEqual(['members', null]);
    expect(server?.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('a group written back by PUT (no PATCH) is read with its members', async () => {
    const connector = await connect({ patch: false });
    await connector.grant('v', 'eng');
    const whole = groupReads().filter((r) => r.path.endsWith('/Groups/g1'));
    expect(whole.map(excludes)).toEqual([null]);
    const put = server?.requests.find((r) => r.method === 'PUT');
    expect((put?.body as { members: unknown[] }).members).toHaveLength(MANY.length + 1);
  });
});

describe('scim groups (review 7): a group created with an answer that is not JSON', () => {
  it('POST /Groups answered 201 "Created" (text): the grant finds the new group and adds the member', async () => {
    let made = false;
    server = await startFakeServer((request) => {
      if (request.path.endsWith('/ServiceProviderConfig')) return { body: SERVICE_PROVIDER_CONFIG };
      if (request.method === 'GET' && request.path.endsWith('/Groups')) return { body: listResponse(made ? [{ id: 'g9', displayName: 'new' }] : []) };
      if (request.method === 'POST' && request.path.endsWith('/Groups')) {
        made = true;
        return { status: 201, headers: { 'content-type': 'text/plain' }, body: 'Created' };
      }
      if (request.method === 'GET') return { body: { id: 'v', userName: 'v', active: true, groups: [] } };
      return { status: 204 };
    });
    const config = scimConnectionSchema.parse({
      baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' }, groups: { createMissing: true },
    });
    const connector = scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
    await connector.grant('v', 'new');
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(server.requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual(['/scim/v2/Groups/g9']);
  });
});
