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

const NFC = { userName: 'José.García', email: 'josé.garcía@example.com', externalId: 'Émile-1' };
const NFD = { userName: NFC.userName.normalize('NFD'), email: NFC.email.normalize('NFD'), externalId: NFC.externalId.normalize('NFD') };

/**
 * A server holding one account whose text is stored decomposed (NFD). `normalises`: its filter and uniqueness
 * compare in one form (it finds the account whatever form is asked for, and refuses a second one with 409);
 * otherwise its filter compares code points and a POST creates a second account.
 */
async function holding(existing: Record<string, unknown>, normalises: boolean, connection: Record<string, unknown> = {}): Promise<Connector> {
  const finds = (request: FakeRequest) => {
    const filter = request.query.get('filter') ?? '';
    if (normalises) return true;
    return [NFD.userName, NFD.email, NFD.externalId].some((text) => filter.includes(text));
  };
  server = await startFakeServer((request) => {
    if (request.path.endsWith('/ServiceProviderConfig')) return { body: SERVICE_PROVIDER_CONFIG };
    if (request.method === 'GET' && request.path.endsWith('/Users')) return { body: listResponse(finds(request) ? [existing] : []) };
    if (request.method === 'GET') return { body: existing };
    if (request.method === 'POST') return normalises ? { status: 409, body: { scimType: 'uniqueness', detail: 'userName taken' } } : { status: 201, body: { ...(request.body as object), id: 'u2' } };
    return { status: 204 };
  });
  const config = scimConnectionSchema.parse({ baseUrl: `${server.url}/scim/v2`, allowInsecureHttp: true, auth: { type: 'bearer', token: 't' }, ...connection });
  return scimConnectorFactory.create(config, { targetId: 'app', baseDir: '.', log: silentLogger });
}
const posts = () => server?.requests.filter((r) => r.method === 'POST') ?? [];

describe('scim connector (review 7): matching compares userName and emails in NFC', () => {
  it('an account whose userName is stored in NFD is adopted by a create in NFC (not a conflict that never clears)', async () => {
    const connector = await holding({ id: 'u1', userName: NFD.userName, active: true }, true);
    const adopted = await connector.create({ attributes: { userName: NFC.userName, externalId: 'E-1' }, enabled: true });
    expect(adopted.accountId).toBe('u1');
  });

  it('an account whose work email is stored in NFD is adopted when matching by email', async () => {
    const connector = await holding({ id: 'u1', userName: 'jg', emails: [{ type: 'work', value: NFD.email }], active: true }, true, { matchBy: ['emails'] });
    const adopted = await connector.create({ attributes: { userName: 'jgarcia', email: NFC.email }, enabled: true });
    expect(adopted.accountId).toBe('u1');
  });

  it('a server whose filter compares code points is asked in both forms, and no second account is created', async () => {
    const connector = await holding({ id: 'u1', userName: NFD.userName, active: true }, false, { matchBy: ['userName'] });
    const adopted = await connector.create({ attributes: { userName: NFC.userName }, enabled: true });
    expect(adopted.accountId).toBe('u1');
    expect(posts()).toEqual([]);
  });

  it('an externalId that differs only in its Unicode form is the same person, adopted', async () => {
    const connector = await holding({ id: 'u1', userName: NFC.userName, externalId: NFD.externalId, active: true }, true);
    const adopted = await connector.create({ attributes: { userName: NFC.userName, externalId: NFC.externalId }, enabled: true });
    expect(adopted.accountId).toBe('u1');
  });
});
