import { describe, expect, it } from 'vitest';
import { applyPatch } from './patch.js';
import { deepFreeze, ENTERPRISE, GROUP, patchBody, scimTypeOf, USER } from './patch-test-schemas.js';

/**
 * Request shapes real clients send, as documented by Microsoft (Entra ID
 * "Develop and plan provisioning for a SCIM endpoint", its known
 * non-compliant behaviours) and Okta ("SCIM 2.0 protocol" reference).
 */
const USER_DATA = deepFreeze({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'Test_User_ab6490ee@example.com',
  active: true,
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ value: 'Test_User_fd0ea19b@example.com', type: 'work', primary: true }],
});
const GROUP_DATA = deepFreeze({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  displayName: 'Group A',
  members: [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }],
});

describe('Microsoft Entra ID', () => {
  it('sends capitalised ops and booleans as "False" / "True" strings', () => {
    const off = applyPatch(USER, USER_DATA, patchBody({ op: 'Replace', path: 'active', value: 'False' })).data;
    expect(off.active).toBe(false);
    expect(applyPatch(USER, off, patchBody({ op: 'Replace', path: 'active', value: 'TRUE' })).data.active).toBe(true);
  });

  it('refuses a string that is not true or false for a boolean (invalidValue)', () => {
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'Replace', path: 'active', value: 'no' })))).toBe('invalidValue');
  });

  it('updates the work email and the family name in one request', () => {
    const body = patchBody(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@example.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    );
    const { data } = applyPatch(USER, USER_DATA, body);
    expect(data.emails).toEqual([{ value: 'updatedEmail@example.com', type: 'work', primary: true }]);
    expect(data.name).toEqual({ givenName: 'Test', familyName: 'updatedFamilyName' });
  });

  it('adds emails[type eq "work"].value when there is no work email yet, creating the element', () => {
    const user = { ...USER_DATA, emails: [{ value: 'h@example.com', type: 'home' }] };
    const { data } = applyPatch(USER, user, patchBody({ op: 'Add', path: 'emails[type eq "work"].value', value: 'w@example.com' }));
    expect(data.emails).toEqual([{ value: 'h@example.com', type: 'home' }, { type: 'work', value: 'w@example.com' }]);
  });

  it('adds members with a null $ref', () => {
    const body = patchBody({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u4' }, { $ref: null, value: 'u1' }] });
    expect(applyPatch(GROUP, GROUP_DATA, body).data.members).toEqual([...GROUP_DATA.members, { value: 'u4' }]);
  });

  it('removes members by a value list (a tolerated non-RFC shape), ignoring ones not there', () => {
    const body = patchBody({ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }, { value: 'u3' }, { value: 'gone' }] });
    const { data, changed } = applyPatch(GROUP, GROUP_DATA, body);
    expect(changed).toBe(true);
    expect(data.members).toEqual([{ value: 'u2' }]);
  });

  it('removing every member by value list removes the attribute', () => {
    const body = patchBody({ op: 'Remove', path: 'members', value: GROUP_DATA.members });
    expect(applyPatch(GROUP, GROUP_DATA, body).data).not.toHaveProperty('members');
  });

  it('refuses a removal value list element without a value (invalidValue)', () => {
    const body = patchBody({ op: 'Remove', path: 'members', value: [{ display: 'who?' }] });
    expect(scimTypeOf(() => applyPatch(GROUP, GROUP_DATA, body))).toBe('invalidValue');
  });

  it('sends dotted sub-attribute keys and URN-qualified keys in a no-path value', () => {
    const body = patchBody({
      op: 'Add',
      value: { 'name.givenName': 'Barbara', 'name.familyName': 'Jensen', [`${ENTERPRISE}:employeeNumber`]: '701984', displayName: 'Babs' },
    });
    const { data } = applyPatch(USER, USER_DATA, body);
    expect(data).toMatchObject({ name: { givenName: 'Barbara', familyName: 'Jensen' }, displayName: 'Babs', [ENTERPRISE]: { employeeNumber: '701984' } });
    expect(data.schemas).toEqual([...USER_DATA.schemas, ENTERPRISE]);
  });

  it('sets the manager with a path and a bare id string', () => {
    const body = patchBody({ op: 'Add', path: `${ENTERPRISE}:manager`, value: 'mgr-42' });
    expect(applyPatch(USER, USER_DATA, body).data[ENTERPRISE]).toEqual({ manager: { value: 'mgr-42' } });
  });

  it('renames a group with a single-valued replace', () => {
    expect(applyPatch(GROUP, GROUP_DATA, patchBody({ op: 'Replace', path: 'displayName', value: 'Group B' })).data.displayName).toBe('Group B');
  });
});

describe('Okta', () => {
  it('deactivates with a no-path replace', () => {
    const { data, changed } = applyPatch(USER, USER_DATA, patchBody({ op: 'replace', value: { active: false } }));
    expect(changed).toBe(true);
    expect(data).toEqual({ ...USER_DATA, active: false });
  });

  it('renames a group with the id repeated in the value', () => {
    const body = patchBody({ op: 'replace', value: { id: 'g-1', displayName: 'Group B' } });
    expect(applyPatch(GROUP, GROUP_DATA, body, { id: 'g-1' }).data).toEqual({ ...GROUP_DATA, displayName: 'Group B' });
    expect(scimTypeOf(() => applyPatch(GROUP, GROUP_DATA, body, { id: 'g-2' }))).toBe('mutability');
  });

  it('removes a member with a filter and adds one with a list', () => {
    const body = patchBody({ op: 'remove', path: 'members[value eq "u2"]' }, { op: 'add', path: 'members', value: [{ value: 'u9', display: 'Nine' }] });
    expect(applyPatch(GROUP, GROUP_DATA, body).data.members).toEqual([{ value: 'u1' }, { value: 'u3' }, { value: 'u9', display: 'Nine' }]);
  });

  it('replaces many attributes at once with no path, echoing schemas, id and meta', () => {
    const meta = { resourceType: 'User', created: '2026-01-02T03:04:05.000Z', version: 'W/"3"' };
    const value = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      id: 'u-1',
      meta: { ...meta, created: '2026-01-02T03:04:05Z' },
      userName: 'babs@example.com',
      name: { givenName: 'Babs', familyName: 'Jensen' },
      emails: [{ primary: true, value: 'babs@example.com', type: 'work' }],
      displayName: 'Babs Jensen',
      locale: 'en-US',
      active: true,
      [ENTERPRISE]: { department: 'Tours' },
    };
    const { data } = applyPatch(USER, USER_DATA, patchBody({ op: 'replace', value }), { id: 'u-1', meta });
    expect(data).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: 'babs@example.com',
      active: true,
      name: { givenName: 'Babs', familyName: 'Jensen' },
      emails: [{ primary: true, value: 'babs@example.com', type: 'work' }],
      displayName: 'Babs Jensen',
      locale: 'en-US',
      [ENTERPRISE]: { department: 'Tours' },
    });
  });

  it('refuses a changed meta (mutability) and an unknown schema in schemas (invalidValue)', () => {
    const meta = { resourceType: 'User', version: 'W/"3"' };
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'replace', value: { meta: { version: 'W/"9"' } } }), { meta }))).toBe('mutability');
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'replace', value: { schemas: ['urn:example:other'] } })))).toBe('invalidValue');
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'remove', path: 'meta' })))).toBe('mutability');
  });
});
