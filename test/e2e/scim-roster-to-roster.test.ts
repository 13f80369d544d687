import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { createToken } from '../../src/api/tokens.js';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { csv, person, type Person } from './helpers.js';

/**
 * Two Rosters: A provisions from an HR file to a `scim` target, which is B's
 * SCIM server; B turns the Users it is sent into identities through its
 * inbound `scim` source. Everything A does is read back from B over HTTP, as
 * an application would expose it, and from B's identities.
 */

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function writeConfig(yaml: string): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'roster-r2r-'));
  const config = join(dir, 'roster.yaml');
  writeFileSync(config, yaml);
  return { dir, config };
}

/** Roster B: an application speaking SCIM, whose IdP-facing source reads the Users A writes. */
const ROSTER_B = `
store: sqlite:./data/roster-b.db
sources:
  - id: idp
    type: scim
    key: employeeNumber
    maxMissing: 50%
targets: []
scim:
  server: { enabled: true, source: idp }
`;

/** Roster A: HR file -> B over SCIM, with group entitlements. */
const rosterA = (baseUrl: string) => `
store: sqlite:./data/roster-a.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, maxMissing: 50% }
targets:
  - id: roster-b
    type: scim
    connection:
      baseUrl: ${baseUrl}
      allowInsecureHttp: true
      auth: { type: bearer, token: "\${env:ROSTER_B_TOKEN}" }
      groups: { createMissing: true }
    accountKey: userName
    attributes:
      userName: identity.email
      externalId: identity.employeeId
      employeeNumber: identity.employeeId
      givenName: identity.givenName
      familyName: identity.familyName
      displayName: identity.givenName + " " + identity.familyName
      email: identity.email
      department: identity.department
    leaver: { disable: immediately, delete: never }
    safety: { maxDeletes: 50%, maxDisables: 50%, minAccounts: 10 }
    executor: { concurrency: 4, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 50 }
roles:
  - { id: staff, when: "true", grants: { roster-b: [staff] } }
  - { id: engineering, when: 'identity.department == "Engineering"', grants: { roster-b: [engineers] } }
  - { id: sales, when: 'identity.department == "Sales"', grants: { roster-b: [sales] } }
`;

interface ScimUser {
  readonly id: string;
  readonly userName: string;
  readonly active: boolean;
  readonly externalId?: string;
  readonly groups?: readonly { readonly value: string; readonly display?: string }[];
  readonly [ENTERPRISE]?: { readonly department?: string; readonly employeeNumber?: string };
}

describe('Roster to Roster over SCIM', () => {
  let engineA: Engine;
  let engineB: Engine;
  let appB: FastifyInstance;
  let baseB: string;
  let tokenB: string;
  let hr: string;
  const savedToken = process.env.ROSTER_B_TOKEN;

  /** A GET on B's SCIM API with A's credential, as any SCIM client would read it. */
  const getB = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${baseB}${path}`, { headers: { authorization: `Bearer ${tokenB}`, accept: 'application/scim+json' } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const userInB = async (userName: string): Promise<ScimUser | undefined> => {
    const list = await getB<{ Resources: ScimUser[] }>(`/Users?filter=${encodeURIComponent(`userName eq ${JSON.stringify(userName)}`)}`);
    expect(list.Resources.length).toBeLessThanOrEqual(1);
    // Read the single resource too: both answers must agree on the groups.
    const listed = list.Resources[0];
    if (listed === undefined) return undefined;
    const single = await getB<ScimUser>(`/Users/${encodeURIComponent(listed.id)}`);
    expect(single.groups ?? []).toEqual(listed.groups ?? []);
    return single;
  };
  const groupNames = (user: ScimUser | undefined) => (user?.groups ?? []).map((group) => group.display).sort();
  /** The member ids of B's group with this displayName, read from /Groups. */
  const membersOf = async (displayName: string): Promise<string[]> => {
    const list = await getB<{ Resources: { members?: { value: string }[] }[] }>(
      `/Groups?filter=${encodeURIComponent(`displayName eq ${JSON.stringify(displayName)}`)}`,
    );
    return (list.Resources[0]?.members ?? []).map((member) => member.value).sort();
  };
  const syncA = async (people: readonly Person[]) => {
    writeFileSync(hr, csv(people));
    const result = await engineA.sync({ actor: 'test' });
    expect(result.plan.held).toBe(false);
    expect(result.result?.failed ?? 0).toBe(0);
    return result;
  };

  const ada = (over: Partial<Person> = {}) => person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace', ...over });
  const grace = person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper', department: 'Sales' });

  beforeAll(async () => {
    const b = writeConfig(ROSTER_B);
    engineB = await openEngine(b.config);
    appB = await buildServer(engineB);
    await appB.listen({ host: '127.0.0.1', port: 0 });
    const address = appB.server.address();
    baseB = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/scim/v2`;
    tokenB = (await createToken(engineB.store, 'roster-a', ['scim'])).token;
    process.env.ROSTER_B_TOKEN = tokenB;
    const a = writeConfig(rosterA(baseB));
    hr = join(a.dir, 'employees.csv');
    writeFileSync(hr, csv([]));
    engineA = await openEngine(a.config);
  });
  afterAll(async () => {
    await engineA?.close();
    await appB?.close();
    await engineB?.close();
    if (savedToken === undefined) delete process.env.ROSTER_B_TOKEN;
    else process.env.ROSTER_B_TOKEN = savedToken;
  });

  it('joiner: the User and its group memberships appear in B, and B has the identity', async () => {
    await syncA([ada(), grace]);
    const user = await userInB('ada.lovelace@example.com');
    expect(user).toMatchObject({ active: true, externalId: 'E1', [ENTERPRISE]: { department: 'Engineering', employeeNumber: 'E1' } });
    expect(groupNames(user)).toEqual(['engineers', 'staff']);
    const graceInB = await userInB('grace.hopper@example.com');
    expect(groupNames(graceInB)).toEqual(['sales', 'staff']);
    expect(await membersOf('engineers')).toEqual([user!.id]);
    expect(await membersOf('staff')).toEqual([user!.id, graceInB!.id].sort());
    expect(await engineB.store.identities.get('E1')).toMatchObject({ sourceId: 'idp', state: 'active', attributes: { department: 'Engineering' } });
  });

  it('a second sync with nothing changed sends nothing', async () => {
    const { id } = (await userInB('ada.lovelace@example.com'))!;
    const before = await engineB.store.scim.get('User', id);
    const { plan } = await syncA([ada(), grace]);
    expect(plan.changes).toEqual([]);
    expect((await engineB.store.scim.get('User', id))?.version).toBe(before?.version);
  });

  it('mover: the membership moves from engineers to sales, and the department follows', async () => {
    await syncA([ada({ department: 'Sales' }), grace]);
    const user = await userInB('ada.lovelace@example.com');
    expect(user?.[ENTERPRISE]?.department).toBe('Sales');
    expect(groupNames(user)).toEqual(['sales', 'staff']);
    expect(await membersOf('engineers')).toEqual([]);
    expect(await membersOf('sales')).toContain(user!.id);
    expect(await engineB.store.identities.get('E1')).toMatchObject({ state: 'active', attributes: { department: 'Sales' } });
  });

  it('leaver: active false in B (memberships revoked), and B\'s inbound source records the leaver', async () => {
    await syncA([ada({ department: 'Sales', status: 'terminated', endDate: '2020-06-30' }), grace]);
    const user = await userInB('ada.lovelace@example.com');
    expect(user?.active).toBe(false);
    expect(groupNames(user)).toEqual([]);
    expect(await membersOf('staff')).toEqual([(await userInB('grace.hopper@example.com'))!.id]);
    expect(await engineB.store.identities.get('E1')).toMatchObject({ state: 'terminated', attributes: { status: 'inactive' } });
    const kinds = (await engineB.store.identities.events('E1')).map((event) => event.kind);
    expect(kinds[0]).toBe('joiner');
    expect(kinds.at(-1)).toBe('leaver');
    expect((await userInB('grace.hopper@example.com'))?.active).toBe(true);
  });
});
