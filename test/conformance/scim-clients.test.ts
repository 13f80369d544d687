import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimFixture, type ScimFixture } from '../../src/api/scim/testing.js';
import type { ScimUserChange } from '../../src/api/scim/types.js';

/**
 * The request sequences real identity providers send, as their public docs
 * show them: Microsoft Entra ID ("Develop a SCIM endpoint", request examples)
 * and Okta ("SCIM 2.0 protocol" guide). Each test runs one sequence in order.
 */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

type Json = Record<string, any>;

let fixture: ScimFixture;
const changes: ScimUserChange[] = [];

beforeAll(async () => {
  fixture = await scimFixture('sqlite::memory:', { onUserChange: async (change) => { changes.push(change); } });
});

afterAll(async () => {
  await fixture?.close();
});

async function send(method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await fixture.app.inject({
    method: method as 'GET',
    url: `/scim/v2${url}`,
    headers: fixture.headers,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(500);
  return { status: response.statusCode, body: response.body === '' ? {} : (response.json() as Json) };
}

const patch = (...Operations: Json[]) => ({ schemas: [PATCH_OP], Operations });
const filter = (text: string) => encodeURIComponent(text);

describe('Microsoft Entra ID', () => {
  it('test connection: a filter on a random userName gives 200 and an empty list', async () => {
    const reply = await send('GET', `/Users?filter=${filter('userName eq "ec7a4bd2-10f2-4c18-8bd9-7b59fc3a2d4f"')}`);
    expect(reply).toEqual({ status: 200, body: { schemas: [LIST], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] } });
  });

  it('user lifecycle: create, find, update, soft delete with "False", delete', async () => {
    const created = await send('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      [ENTERPRISE]: { employeeNumber: '7', department: 'Sales' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const found = await send('GET', `/Users?filter=${filter('userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"')}`);
    expect(found.body.Resources.map((r: Json) => r.id)).toEqual([id]);
    const byExternalId = await send('GET', `/Users?filter=${filter('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`);
    expect(byExternalId.body.totalResults).toBe(1);

    const multi = await send('PATCH', `/Users/${id}`, patch(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ));
    expect(multi.status).toBe(200);
    expect(multi.body.emails[0]).toMatchObject({ type: 'work', value: 'updatedEmail@microsoft.com' });
    expect(multi.body.name.familyName).toBe('updatedFamilyName');

    const single = await send('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }));
    expect(single.body.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');

    const disabled = await send('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'False' }));
    expect(disabled.status).toBe(200);
    expect(disabled.body.active).toBe(false);
    expect(changes.at(-1)).toMatchObject({ kind: 'upsert', resource: { id, data: expect.objectContaining({ active: false }) } });
    const inactive = await send('GET', `/Users?filter=${filter('active eq false')}`);
    expect(inactive.body.Resources.map((r: Json) => r.id)).toContain(id);

    const enabled = await send('PATCH', `/Users/${id}`, patch({ op: 'replace', value: { active: true } }));
    expect(enabled.body.active).toBe(true);

    expect((await send('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await send('GET', `/Users/${id}`)).status).toBe(404);
    expect(changes.at(-1)).toEqual({ kind: 'delete', id });
  });

  it('group lifecycle: create, get without members, rename, add member, remove member by value list, delete', async () => {
    const member = (await send('POST', '/Users', { schemas: [USER], userName: 'entra-member@testuser.com', active: true })).body;
    const created = await send('POST', '/Groups', {
      schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', meta: { resourceType: 'Group' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const withoutMembers = await send('GET', `/Groups/${id}?excludedAttributes=members`);
    expect(withoutMembers.body).toMatchObject({ id, displayName: 'displayName' });
    expect(withoutMembers.body).not.toHaveProperty('members');
    const byName = await send('GET', `/Groups?excludedAttributes=members&filter=${filter('displayName eq "displayName"')}`);
    expect(byName.body.Resources.map((r: Json) => r.id)).toEqual([id]);

    const renamed = await send('PATCH', `/Groups/${id}`, patch({ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }));
    expect(renamed.body.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');

    const added = await send('PATCH', `/Groups/${id}`, patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: member.id }] }));
    expect(added.status).toBe(200);
    expect(added.body.members.map((m: Json) => m.value)).toEqual([member.id]);
    const memberOf = await send('GET', `/Groups?filter=${filter(`members[value eq "${member.id}"]`)}&excludedAttributes=members`);
    expect(memberOf.body.totalResults).toBe(1);
    expect((await send('GET', `/Users/${member.id}`)).body.groups).toEqual([expect.objectContaining({ value: id })]);

    const removed = await send('PATCH', `/Groups/${id}`, patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: member.id }] }));
    expect(removed.status).toBe(200);
    expect(removed.body.members ?? []).toEqual([]);

    expect((await send('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect((await send('GET', `/Groups/${id}`)).status).toBe(404);
  });
});

describe('Okta', () => {
  it('user lifecycle: find, create, get, PUT with the full body, PATCH active false', async () => {
    const missing = await send('GET', `/Users?filter=${filter('userName eq "test.user@okta.local"')}&startIndex=1&count=100`);
    expect(missing.body.totalResults).toBe(0);

    const created = await send('POST', '/Users', {
      schemas: [USER], userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User', locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7', groups: [], password: '1mz050nq', active: true,
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('1mz050nq');
    const id = created.body.id as string;
    expect((await send('GET', `/Users/${id}`)).body.userName).toBe('test.user@okta.local');

    const replaced = await send('PUT', `/Users/${id}`, {
      schemas: [USER], id, userName: 'test.user@okta.local',
      name: { givenName: 'Another', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Another User', locale: 'en-US', externalId: '00ujl29u0le5T6Aj10h7', groups: [], active: true,
      meta: { resourceType: 'User', created: created.body.meta.created, lastModified: created.body.meta.lastModified },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id, name: { givenName: 'Another' }, displayName: 'Another User' });

    const deactivated = await send('PATCH', `/Users/${id}`, patch({ op: 'replace', value: { active: false } }));
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);
    expect(changes.at(-1)).toMatchObject({ kind: 'upsert', resource: { id, data: expect.objectContaining({ active: false }) } });
  });

  it('imports users page by page with startIndex and count', async () => {
    for (let i = 0; i < 5; i += 1) await send('POST', '/Users', { schemas: [USER], userName: `okta-page-${i}@okta.local`, active: true });
    const seen: string[] = [];
    let total = Number.POSITIVE_INFINITY;
    for (let startIndex = 1; startIndex <= total; startIndex += 2) {
      const page = await send('GET', `/Users?filter=${filter('userName sw "okta-page-"')}&startIndex=${startIndex}&count=2`);
      total = page.body.totalResults as number;
      expect(page.body.startIndex).toBe(startIndex);
      expect(page.body.itemsPerPage).toBe(page.body.Resources.length);
      seen.push(...page.body.Resources.map((r: Json) => r.userName as string));
    }
    expect(total).toBe(5);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `okta-page-${i}@okta.local`));
  });

  it('group push: create, rename echoing the id, add and remove members, PUT, delete', async () => {
    const member = (await send('POST', '/Users', { schemas: [USER], userName: 'okta-member@okta.local', active: true })).body;
    const created = await send('POST', '/Groups', { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const renamed = await send('PATCH', `/Groups/${id}`, patch({ op: 'replace', value: { id, displayName: 'Test SCIMv2 (updated)' } }));
    expect(renamed.status).toBe(200);
    expect(renamed.body.displayName).toBe('Test SCIMv2 (updated)');

    const added = await send('PATCH', `/Groups/${id}`, patch({ op: 'add', path: 'members', value: [{ value: member.id, display: 'okta-member@okta.local' }] }));
    expect(added.body.members).toEqual([expect.objectContaining({ value: member.id })]);

    const removed = await send('PATCH', `/Groups/${id}`, patch({ op: 'remove', path: `members[value eq "${member.id}"]` }));
    expect(removed.body.members ?? []).toEqual([]);

    const put = await send('PUT', `/Groups/${id}`, { schemas: [GROUP], id, displayName: 'Test SCIMv2 (updated)', members: [{ value: member.id, display: 'okta-member@okta.local' }] });
    expect(put.status).toBe(200);
    expect(put.body.members.map((m: Json) => m.value)).toEqual([member.id]);

    expect((await send('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect((await send('GET', `/Users/${member.id}`)).body).not.toHaveProperty('groups');
  });
});
