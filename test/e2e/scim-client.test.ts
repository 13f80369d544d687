import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import type { TargetAccount } from '../../src/core/types.js';
import { createConnector } from '../../src/connectors/registry.js';
import type { Connector } from '../../src/connectors/types.js';
import { startScimmy, type RunningScimmy, type ScimmyOptions } from '../support/scimmy.js';

/**
 * The scim connector against SCIMMY (a SCIM server Roster did not write):
 * how it adapts to discovery, pushes group members in batches, adopts
 * accounts that already exist, and pages through thousands of users.
 */

const mapping = {
  username: 'userName',
  externalId: 'externalId',
  email: 'emails[type eq "work"].value',
  displayName: 'displayName',
  department: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
};

interface Setup {
  server: RunningScimmy;
  connector: Connector;
}

/** A SCIMMY server and a connector on it, for one describe block (SCIMMY's config is process-wide). */
function scimmyTarget(options: ScimmyOptions = {}, connection: (server: RunningScimmy) => Record<string, unknown> = () => ({})): Setup {
  const setup = {} as Setup;
  beforeAll(async () => {
    setup.server = await startScimmy(options);
    setup.connector = createConnector(
      {
        id: 'saas',
        type: 'scim',
        connection: {
          baseUrl: setup.server.baseUrl, allowInsecureHttp: true, mapping, groups: { createMissing: true },
          auth: { type: 'bearer', token: setup.server.token }, ...connection(setup.server),
        },
      },
      { targetId: 'saas', baseDir: '.', log: silentLogger },
    );
  });
  afterAll(async () => {
    await setup.connector?.close();
    await setup.server?.stop();
  });
  return setup;
}

const spec = (key: string, extra: Record<string, unknown> = {}) => ({
  attributes: { username: key, email: `${key}@example.com`, displayName: `User ${key}`, ...extra },
  enabled: true,
});
const since = (server: RunningScimmy, mark: number) => server.requests.slice(mark);
const methods = (server: RunningScimmy, mark: number) => since(server, mark).map((r) => `${r.method} ${r.path.replace(/\/(Users|Groups)\/.+$/, '/$1/:id')}`);

describe('scim client: discovery says PATCH and filter are supported', () => {
  const t = scimmyTarget();

  it('an update sends one PATCH with only the changed attributes, at their RFC paths', async () => {
    const { accountId } = await t.connector.create(spec('d.ada', { department: 'R&D' }));
    const mark = t.server.requests.length;
    await t.connector.update(accountId, { email: 'ada@changed.example.com', department: null });
    expect(methods(t.server, mark)).toEqual(['PATCH /Users/:id']);
    expect(since(t.server, mark)[0]?.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'ada@changed.example.com' },
        { op: 'remove', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department' },
      ],
    });
    const got = await t.connector.get(accountId);
    expect(got?.attributes).toMatchObject({ email: 'ada@changed.example.com' });
    expect(got?.attributes.department).toBeUndefined();
  });

  it('create looks for the account with one filtered GET (or between the matchBy attributes), then POSTs', async () => {
    const mark = t.server.requests.length;
    await t.connector.create(spec('d.bob', { externalId: 'E-42' }));
    expect(methods(t.server, mark)).toEqual(['GET /Users', 'POST /Users']);
    expect(since(t.server, mark)[0]?.query.filter).toBe('userName eq "d.bob" or externalId eq "E-42" or emails.value eq "d.bob@example.com"');
  });
});

describe('scim client: discovery says neither PATCH nor filter', () => {
  const t = scimmyTarget({ config: { patch: false, filter: false } });

  it('updates by GET + PUT, never PATCH, and keeps what it did not change', async () => {
    const { accountId } = await t.connector.create(spec('n.carol'));
    const mark = t.server.requests.length;
    await t.connector.update(accountId, { displayName: 'Carol C.' });
    await t.connector.setEnabled(accountId, false);
    expect(methods(t.server, mark)).toEqual(['GET /Users/:id', 'PUT /Users/:id', 'GET /Users/:id', 'PUT /Users/:id']);
    const got = await t.connector.get(accountId);
    expect(got).toMatchObject({ enabled: false, attributes: { displayName: 'Carol C.', email: 'n.carol@example.com' } });
  });

  it('matches an existing account by scanning the list, sending no filter', async () => {
    const existing = t.server.seedUser({ userName: 'n.dave', emails: [{ type: 'work', value: 'old@example.com' }], active: true });
    const mark = t.server.requests.length;
    const created = await t.connector.create(spec('n.dave'));
    expect(created.accountId).toBe(existing);
    expect(created.attributes.email).toBe('n.dave@example.com');
    expect(since(t.server, mark).some((r) => r.query.filter !== undefined)).toBe(false);
  });

  it('pushes group members by GET + PUT of the group', async () => {
    const { accountId } = await t.connector.create(spec('n.erin'));
    await t.connector.grant(accountId, 'no-patch-group');
    expect((await t.connector.get(accountId))?.entitlements).toEqual(['no-patch-group']);
    await t.connector.revoke(accountId, 'no-patch-group');
    expect((await t.connector.get(accountId))?.entitlements).toEqual([]);
    expect(t.server.requests.some((r) => r.method === 'PATCH')).toBe(false);
  });
});

describe('scim client: adopting accounts that already exist', () => {
  const t = scimmyTarget();

  it('by userName, whatever its case (RFC 7643: userName is case-insensitive), brought in line', async () => {
    const id = t.server.seedUser({ userName: 'A.Lovelace', displayName: 'Old', active: false });
    const adopted = await t.connector.create(spec('a.lovelace'));
    expect(adopted).toMatchObject({ accountId: id, enabled: true, attributes: { displayName: 'User a.lovelace', email: 'a.lovelace@example.com' } });
  });

  it('by externalId when the userName differs', async () => {
    const id = t.server.seedUser({ userName: 'legacy-7', externalId: 'E-7', active: true });
    expect((await t.connector.create(spec('m.new', { externalId: 'E-7' }))).accountId).toBe(id);
    expect((await t.connector.get(id))?.attributes.username).toBe('m.new');
  });

  it('by email, as the last resort of matchBy', async () => {
    const id = t.server.seedUser({ userName: 'someone-else', emails: [{ type: 'work', value: 'grace@example.com' }], active: true });
    expect((await t.connector.create(spec('g.hopper', { email: 'grace@example.com' }))).accountId).toBe(id);
  });

  it('two accounts holding the same email is a conflict, not a guess', async () => {
    t.server.seedUser({ userName: 'twin-1', emails: [{ value: 'twin@example.com' }], active: true });
    t.server.seedUser({ userName: 'twin-2', emails: [{ value: 'twin@example.com' }], active: true });
    const error = await t.connector.create(spec('t.twin', { email: 'twin@example.com' })).catch((e: unknown) => e);
    expect(isRosterError(error, 'target.conflict')).toBe(true);
  });

  it('a userName with a quote and a backslash (SCIMMY cannot parse the escaped filter): found by a scan, not duplicated', async () => {
    const hostile = 'o"brien\\ or userName pr';
    const id = t.server.seedUser({ userName: hostile, active: true });
    const adopted = await t.connector.create({ attributes: { username: hostile, email: 'ob@example.com' }, enabled: true });
    expect(adopted.accountId).toBe(id);
    const all: TargetAccount[] = [];
    for await (const account of t.connector.list()) all.push(account);
    expect(all.filter((a) => a.attributes.username === hostile)).toHaveLength(1);
  });
});

describe('scim client: group membership pushed in batches', () => {
  const t = scimmyTarget();

  it('250 concurrent grants to one group go out in a handful of PATCHes; revokes likewise', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 250; i += 50) {
      ids.push(...(await Promise.all(Array.from({ length: 50 }, (_, j) => t.connector.create(spec(`b.${i + j}`))))).map((a) => a.accountId));
    }
    let mark = t.server.requests.length;
    await Promise.all(ids.map((id) => t.connector.grant(id, 'everyone')));
    const grants = since(t.server, mark).filter((r) => r.method === 'PATCH' && r.path.startsWith('/Groups/'));
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.length).toBeLessThan(50); // coalesced: at least 5 grants per PATCH on average
    const listed: TargetAccount[] = [];
    for await (const account of t.connector.list()) listed.push(account);
    expect(listed.filter((a) => a.entitlements.includes('everyone')).map((a) => a.accountId).sort()).toEqual([...ids].sort());

    mark = t.server.requests.length;
    await Promise.all(ids.slice(0, 100).map((id) => t.connector.revoke(id, 'everyone')));
    const revokes = since(t.server, mark).filter((r) => r.method === 'PATCH' && r.path.startsWith('/Groups/'));
    expect(revokes.length).toBeLessThan(20);
    expect((await t.connector.get(ids[0] ?? ''))?.entitlements).toEqual([]);
    expect((await t.connector.get(ids[200] ?? ''))?.entitlements).toEqual(['everyone']);
  });

  it('a group that does not exist is refused unless createMissing', async () => {
    const setupWithout = createConnector(
      { id: 'saas', type: 'scim', connection: { baseUrl: t.server.baseUrl, allowInsecureHttp: true, mapping, auth: { type: 'bearer', token: t.server.token } } },
      { targetId: 'saas', baseDir: '.', log: silentLogger },
    );
    const { accountId } = await setupWithout.create(spec('b.nogroup'));
    const error = await setupWithout.grant(accountId, 'nobody-made-this').catch((e: unknown) => e);
    expect(isRosterError(error, 'target.rejected')).toBe(true);
    expect((error as Error).message).toContain('createMissing');
  });
});

describe('scim client: paging through 2,500 users', () => {
  const t = scimmyTarget({}, () => ({ pageSize: 100 }));

  it('every user exactly once, 100 at a time', { timeout: 120_000 }, async () => {
    const seeded = new Set(Array.from({ length: 2500 }, (_, i) => t.server.seedUser({ userName: `page.${i}`, active: i % 2 === 0 })));
    const mark = t.server.requests.length;
    const listed: TargetAccount[] = [];
    for await (const account of t.connector.list()) listed.push(account);
    expect(listed).toHaveLength(2500);
    expect(new Set(listed.map((a) => a.accountId))).toEqual(seeded);
    expect(listed.filter((a) => a.enabled)).toHaveLength(1250);
    const pages = since(t.server, mark).filter((r) => r.method === 'GET' && r.path === '/Users');
    expect(pages.map((r) => Number(r.query.startIndex))).toEqual(Array.from({ length: 25 }, (_, i) => 1 + i * 100));
  });
});

describe('scim client: oauth2 client credentials against SCIMMY', () => {
  const t = scimmyTarget(
    { oauth2: { clientId: 'roster', clientSecret: 's3cret', expiresIn: 3600 } },
    (server) => ({ auth: { type: 'oauth2', tokenUrl: server.tokenUrl, clientId: 'roster', clientSecret: 's3cret' } }),
  );

  it('one token for many requests; a revoked token is replaced once and the work goes on', async () => {
    await t.connector.check();
    const { accountId } = await t.connector.create(spec('o.auth'));
    expect(t.server.issued).toHaveLength(1);
    t.server.revokeTokens();
    await t.connector.update(accountId, { displayName: 'After rotation' });
    expect(t.server.issued).toHaveLength(2);
    expect((await t.connector.get(accountId))?.attributes.displayName).toBe('After rotation');
  });
});
