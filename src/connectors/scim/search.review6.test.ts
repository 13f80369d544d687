import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import type { Connector } from '../types.js';
import { scimConnectionSchema } from './config.js';
import { SERVICE_PROVIDER_CONFIG, startFakeServer, type FakeRequest, type FakeServer } from './fake-server.js';
import { scimConnectorFactory } from './index.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function connect(page: (start: number, count: number) => Record<string, unknown>, pageSize: number): Promise<Connector> {
  server = await startFakeServer((request: FakeRequest) => {
    if (request.path.endsWith('/ServiceProviderConfig')) return { body: SERVICE_PROVIDER_CONFIG };
    return { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], ...page(Number(request.query.get('startIndex')), Number(request.query.get('count'))) } };
  });
  const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' }, pageSize });
  return scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
}
async function collect(connector: Connector): Promise<string[]> {
  const ids: string[] = [];
  for await (const account of connector.list()) ids.push(account.accountId);
  return ids;
}
const user = (id: string) => ({ id, userName: `u${id}`, active: true });

describe('scim paging (review 6)', () => {
  it('a server that pages fewer than asked and omits totalResults: every account, until an empty page', async () => {
    const all = ['1', '2', '3', '4', '5'].map(user);
    const connector = await connect((start) => {
      const Resources = all.slice(start - 1, start + 1);
      return { Resources, itemsPerPage: Resources.length, startIndex: start };
    }, 50);
    expect(await collect(connector)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('an account deleted while paging (totalResults shrinks) does not make the walk skip the one that moved up', async () => {
    let all = ['1', '2', '3', '4', '5', '6'].map(user);
    const connector = await connect((start, count) => {
      if (start === 3) all = all.filter((u) => u.id !== '1'); // deleted between page 1 and page 2
      return { Resources: all.slice(start - 1, start - 1 + count), totalResults: all.length, itemsPerPage: count, startIndex: start };
    }, 2);
    const ids = await collect(connector);
    expect(ids).toContain('3');
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('so many deleted while paging that the next page is empty: the walk steps back instead of stopping', async () => {
    let all = ['A', 'B', 'C', 'D'].map(user);
    const connector = await connect((start, count) => {
      if (start === 3) all = all.filter((u) => u.id === 'D'); // A, B and C deleted between page 1 and page 2
      return { Resources: all.slice(start - 1, start - 1 + count), totalResults: all.length, itemsPerPage: count, startIndex: start };
    }, 2);
    expect(await collect(connector)).toEqual(['A', 'B', 'D']);
  });
});
