import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createToken } from '../../src/api/tokens.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { readSource } from '../../src/sources/index.js';
import { APP_TARGET_YAML, appUsers, dialectStore, listenScim } from './helpers.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** An identity provider's SCIM source feeding a real SQL target (a SQLite file). */
function project(store: string | undefined): { config: string; appDb: string } {
  const dir = mkdtempSync(join(tmpdir(), 'roster-scim-e2e-'));
  const config = join(dir, 'roster.yaml');
  writeFileSync(config, `
store: ${store ?? 'sqlite:./data/roster.db'}
sources:
  - id: idp
    type: scim
    key: employeeId
    attributes: { employeeId: "${ENTERPRISE}:employeeNumber" }
    maxMissing: 50%
targets:
${APP_TARGET_YAML}roles:
  - { id: staff, when: "true", grants: { app: [staff] } }
  - { id: engineering, when: 'identity.department == "Engineering"', grants: { app: [engineers] } }
scim:
  server: { enabled: true, source: idp }
`);
  return { config, appDb: join(dir, 'data', 'app.db') };
}

/** A POST /Users body as Microsoft Entra ID sends it (extra schema URIs, meta, roles, the enterprise extension). */
function entraUser(employeeNumber: string, givenName: string, familyName: string, department = 'Engineering') {
  const upn = `${givenName}.${familyName}@contoso.example`.toLowerCase();
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: `${givenName}${familyName}`,
    userName: upn,
    active: true,
    displayName: `${givenName} ${familyName}`,
    emails: [{ primary: true, type: 'work', value: upn }],
    meta: { resourceType: 'User' },
    name: { formatted: `${givenName} ${familyName}`, familyName, givenName },
    roles: [],
    [ENTERPRISE]: { employeeNumber, department },
  };
}

const patchActive = (value: string) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'Replace', path: 'active', value }],
});

describe.each(['sqlite', 'postgres'] as const)('inbound SCIM end to end (store: %s)', (dialect) => {
  let engine: Engine;
  let app: FastifyInstance;
  let base: string;
  let scimToken: string;
  let apiToken: string;
  let paths: ReturnType<typeof project>;
  let drop: (() => Promise<void>) | undefined;
  let adaId: string;

  /** `token` null: no authorization header. */
  const send = (method: string, path: string, body?: unknown, token: string | null = scimToken) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ada = () => appUsers(paths.appDb).get('ada.lovelace');
  const kinds = async (id: string) => (await engine.store.identities.events(id)).map((event) => event.kind);

  /** What `roster sync` does with the scim source: a full read of every stored User, ingested, then a plan. */
  const fullRead = async () => {
    const source = engine.config.sources[0]!;
    const read = await readSource(source, {
      state: engine.store.state, baseDir: engine.config.baseDir, scim: { store: engine.store.scim, extensions: [] },
    });
    const ingested = await engine.ingest(read.batch, 'test');
    return { ingested, plan: await engine.plan() };
  };

  beforeAll(async () => {
    const { store, drop: dropStore } = await dialectStore(dialect, 'roster_scim_e2e');
    drop = dropStore;
    paths = project(store);
    engine = await openEngine(paths.config);
    app = await buildServer(engine);
    base = await listenScim(app);
    scimToken = (await createToken(engine.store, 'entra', ['scim'])).token;
    apiToken = (await createToken(engine.store, 'dashboard', ['api:read'])).token;
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close();
    await drop?.();
  });

  it('refuses a request without a token (401) and a token without the scim scope (403)', async () => {
    const anonymous = await send('GET', '/Users', undefined, null);
    expect(anonymous.status).toBe(401);
    const wrongScope = await send('GET', '/Users', undefined, apiToken);
    expect(wrongScope.status).toBe(403);
    expect(await engine.store.scim.count('User')).toBe(0);
  });

  it('POST /Users creates the identity and its account before the response', async () => {
    const response = await send('POST', '/Users', entraUser('E1', 'Ada', 'Lovelace'));
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; userName: string; active: boolean };
    expect(body).toMatchObject({ userName: 'ada.lovelace@contoso.example', active: true });
    adaId = body.id;
    expect(ada()).toMatchObject({ active: 1, email: 'ada.lovelace@contoso.example', department: 'Engineering', groups: ['engineers', 'staff'] });
    const identity = await engine.store.identities.get('E1');
    expect(identity).toMatchObject({ sourceId: 'idp', state: 'active', attributes: { userName: 'ada.lovelace@contoso.example', status: 'active' } });
    expect(await kinds('E1')).toEqual(['joiner']);
  });

  it('PATCH active "False" (Entra) is a leaver: the account is disabled before the response', async () => {
    const response = await send('PATCH', `/Users/${adaId}`, patchActive('False'));
    expect([200, 204]).toContain(response.status);
    expect(ada()?.active).toBe(0);
    expect(await engine.store.identities.get('E1')).toMatchObject({ state: 'terminated', attributes: { status: 'inactive' } });
    expect(await kinds('E1')).toEqual(['joiner', 'leaver']);
  });

  it('PATCH active "True" takes the termination back (terminated -> active, leaver.reverted): the account is enabled again', async () => {
    const response = await send('PATCH', `/Users/${adaId}`, patchActive('True'));
    expect([200, 204]).toContain(response.status);
    expect(ada()).toMatchObject({ active: 1, groups: ['engineers', 'staff'] });
    expect(await engine.store.identities.get('E1')).toMatchObject({ state: 'active' });
    expect(await kinds('E1')).toEqual(['joiner', 'leaver', 'mover']);
    expect((await engine.store.identities.events('E1')).at(-1)?.reasons).toEqual(['leaver.reverted']);
  });

  it('GET with a filter finds the User', async () => {
    const response = await send('GET', `/Users?filter=${encodeURIComponent('userName eq "Ada.Lovelace@contoso.example"')}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { totalResults: number; Resources: { id: string }[] };
    expect(body.totalResults).toBe(1);
    expect(body.Resources[0]?.id).toBe(adaId);
  });

  it('DELETE terminates the person: the account is disabled before the response', async () => {
    expect((await send('POST', '/Users', entraUser('E2', 'Grace', 'Hopper', 'Sales'))).status).toBe(201);
    const response = await send('DELETE', `/Users/${adaId}`);
    expect(response.status).toBe(204);
    expect(ada()?.active).toBe(0);
    const identity = await engine.store.identities.get('E1');
    expect(identity).toMatchObject({ state: 'terminated', attributes: { status: 'terminated' } });
    expect(await kinds('E1')).toEqual(['joiner', 'leaver', 'mover', 'leaver']);
    expect(appUsers(paths.appDb).get('grace.hopper')).toMatchObject({ active: 1, groups: ['staff'] });
  });

  it('a full read of the source afterwards resurrects nobody', async () => {
    const { ingested, plan } = await fullRead();
    expect(ingested).toMatchObject({ received: 1, created: 0, changed: 0, unchanged: 1, missing: 0 });
    expect(plan.changes).toEqual([]);
    expect((await engine.store.identities.get('E1'))?.state).toBe('terminated');
  });

  it('a User deleted behind the hook\'s back is a person gone from the source at the next full read', async () => {
    for (const [key, given] of [['E3', 'Alan'], ['E4', 'Edsger']] as const) {
      expect((await send('POST', '/Users', entraUser(key, given, 'Turing'))).status).toBe(201);
    }
    const found = await engine.store.scim.query({ resourceType: 'User', offset: 0, limit: 10 });
    const grace = found.resources.find((r) => r.data['userName'] === 'grace.hopper@contoso.example');
    expect(await engine.store.scim.delete('User', grace!.id)).toBe(true);
    expect(appUsers(paths.appDb).get('grace.hopper')?.active).toBe(1);
    const { ingested, plan } = await fullRead();
    expect(ingested).toMatchObject({ received: 2, missing: 1 });
    expect(plan.held).toBe(false);
    expect(new Set(plan.changes.map((c) => c.identity))).toEqual(new Set(['E2']));
    expect(plan.changes.map((c) => c.action)).toContain('disable');
    await engine.apply(plan, { actor: 'test' });
    expect(appUsers(paths.appDb).get('grace.hopper')?.active).toBe(0);
    expect(await engine.store.identities.get('E2')).toMatchObject({ state: 'terminated', missingSince: expect.any(String) });
  });

  it('an Okta-style PATCH without a path ({"active": false}) is a leaver too', async () => {
    const found = await engine.store.scim.query({ resourceType: 'User', offset: 0, limit: 10 });
    const alan = found.resources.find((r) => r.data['userName'] === 'alan.turing@contoso.example');
    const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', value: { active: false } }] };
    expect((await send('PATCH', `/Users/${alan!.id}`, body)).status).toBe(200);
    expect(appUsers(paths.appDb).get('alan.turing')?.active).toBe(0);
    expect(await engine.store.identities.get('E3')).toMatchObject({ state: 'terminated', attributes: { status: 'inactive' } });
  });
});
