import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import { scimConnectionSchema } from './config.js';
import { listResponse, SERVICE_PROVIDER_CONFIG, startFakeServer, type FakeServer } from './fake-server.js';
import { scimConnectorFactory } from './index.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('scim groups without PATCH (review 6): read, change, write back', () => {
  it('a member added by someone else between the GET and the PUT is not lost (If-Match with meta.version, again on 412)', async () => {
    let version = 1;
    let members = [{ value: 'a' }];
    let raced = false;
    const group = () => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'g1', displayName: 'G', members, meta: { resourceType: 'Group', version: `W/"${version}"` } });
    server = await startFakeServer((request) => {
      if (request.path.endsWith('/ServiceProviderConfig')) return { body: { ...SERVICE_PROVIDER_CONFIG, patch: { supported: false }, etag: { supported: true } } };
      if (request.path.endsWith('/Users/u')) return { body: { id: 'u', userName: 'u', groups: [] } };
      if (request.path.endsWith('/Groups')) return { body: listResponse([group()]) };
      if (request.method === 'GET') {
        const answer = group();
        if (!raced) {
          // Someone else adds z right after this read.
          raced = true;
          members = [...members, { value: 'z' }];
          version++;
        }
        return { body: answer };
      }
      if (request.method === 'PUT') {
        const ifMatch = request.headers['if-match'];
        if (ifMatch !== undefined && ifMatch !== `W/"${version}"`) return { status: 412, body: { status: '412', detail: 'version mismatch' } };
        members = (request.body as { members: Array<{ value: string }> }).members;
        version++;
        return { body: group() };
      }
      return { status: 405 };
    });
    const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' } });
    const connector = scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
    await connector.grant('u', 'G');
    expect(members.map((m) => m.value).sort()).toEqual(['a', 'u', 'z']);
  });
});
