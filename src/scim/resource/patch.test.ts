import { describe, expect, it } from 'vitest';
import { applyPatch } from './patch.js';
import { deepFreeze, ENTERPRISE, GROUP, patchBody, scimTypeOf, USER } from './patch-test-schemas.js';

/** The examples of RFC 7644 §3.5.2.1–3, in order, on the RFC's own resources. */
/** The PatchOp URI as a careless client might write it: URIs compare ignoring case. */
const MIXED_CASE_PATCH_OP = 'URN:ietf:params:scim:api:messages:2.0:patchop';
const BJENSEN = '2819c223-7f76-453a-919d-413861904646';
const JSMITH = '902c246b-6245-4190-8e05-00816be7344a';
const GROUP_DATA = deepFreeze({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  displayName: 'Tour Guides',
  members: [
    { value: BJENSEN, display: 'Babs Jensen' },
    { value: JSMITH, display: 'Mandy Pepperidge' },
  ],
});
const USER_DATA = deepFreeze({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'bjensen',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', postalCode: '91608', primary: true }],
});

describe('RFC 7644 §3.5.2.1 add', () => {
  it('adds a member to a group', () => {
    const member = { display: 'Ashley', $ref: 'https://example.com/v2/Users/a1', value: 'a1' };
    const { data, changed } = applyPatch(GROUP, GROUP_DATA, patchBody({ op: 'add', path: 'members', value: [member] }));
    expect(changed).toBe(true);
    expect(data.members).toEqual([...GROUP_DATA.members, member]);
  });

  it('adds attributes with no path (the "nickname" key matched ignoring case)', () => {
    const value = { emails: [{ value: 'babs@jensen.org', type: 'home' }, { value: 'b@other.org', type: 'other' }], nickname: 'Babs' };
    const { data } = applyPatch(USER, USER_DATA, patchBody({ op: 'add', value }));
    expect(data.nickName).toBe('Babs');
    // The home email is there already: added once, not twice.
    expect(data.emails).toEqual([...USER_DATA.emails, { value: 'b@other.org', type: 'other' }]);
  });

  it('changes nothing when the value is already there', () => {
    const result = applyPatch(GROUP, GROUP_DATA, patchBody({ op: 'add', path: 'members', value: [{ value: BJENSEN, display: 'Babs Jensen' }] }));
    expect(result).toEqual({ data: GROUP_DATA, changed: false });
  });
});

describe('RFC 7644 §3.5.2.2 remove', () => {
  it('removes all members', () => {
    const { data } = applyPatch(GROUP, GROUP_DATA, patchBody({ op: 'remove', path: 'members' }));
    expect(data).toEqual({ schemas: GROUP_DATA.schemas, displayName: 'Tour Guides' });
  });

  it('removes one member by filter', () => {
    const { data } = applyPatch(GROUP, GROUP_DATA, patchBody({ op: 'remove', path: `members[value eq "${BJENSEN}"]` }));
    expect(data.members).toEqual([{ value: JSMITH, display: 'Mandy Pepperidge' }]);
  });

  it('removes a complex value selected by two sub-attributes', () => {
    const { data } = applyPatch(USER, USER_DATA, patchBody({ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }));
    expect(data.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('removes all members and adds new ones in one request', () => {
    const body = patchBody({ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [{ value: 'n1', display: 'New' }] });
    expect(applyPatch(GROUP, GROUP_DATA, body).data.members).toEqual([{ value: 'n1', display: 'New' }]);
  });

  it('removes the last element and with it the attribute', () => {
    const one = applyPatch(GROUP, GROUP_DATA, patchBody({ op: 'remove', path: `members[value eq "${JSMITH}"]` })).data;
    const none = applyPatch(GROUP, one, patchBody({ op: 'remove', path: `members[value eq "${BJENSEN}"]` })).data;
    expect(none).not.toHaveProperty('members');
  });

  it('removes an extension attribute by its qualified path, and the emptied extension with it', () => {
    const user = { ...USER_DATA, schemas: [...USER_DATA.schemas, ENTERPRISE], [ENTERPRISE]: { manager: { value: BJENSEN } } };
    const { data } = applyPatch(USER, user, patchBody({ op: 'remove', path: `${ENTERPRISE}:manager` }));
    expect(data).not.toHaveProperty(ENTERPRISE);
    expect(data.schemas).toEqual(USER_DATA.schemas);
  });

  it('needs a path (noTarget) and a filter that matches (noTarget)', () => {
    expect(scimTypeOf(() => applyPatch(GROUP, GROUP_DATA, patchBody({ op: 'remove' })))).toBe('noTarget');
    expect(scimTypeOf(() => applyPatch(GROUP, GROUP_DATA, patchBody({ op: 'remove', path: 'members[value eq "nobody"]' })))).toBe('noTarget');
  });
});

describe('RFC 7644 §3.5.2.3 replace', () => {
  it('replaces all members', () => {
    const members = [{ value: 'x1', display: 'One' }, { value: 'x2' }];
    expect(applyPatch(GROUP, GROUP_DATA, patchBody({ op: 'replace', path: 'members', value: members })).data.members).toEqual(members);
  });

  it('replaces the work address selected by a filter', () => {
    const work = { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', primary: true };
    const { data } = applyPatch(USER, USER_DATA, patchBody({ op: 'replace', path: 'addresses[type eq "work"]', value: work }));
    expect(data.addresses).toEqual([work]);
  });

  it('replaces one sub-attribute of the selected value', () => {
    const { data } = applyPatch(USER, USER_DATA, patchBody({ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }));
    expect(data.addresses).toEqual([{ ...USER_DATA.addresses[0], streetAddress: '1010 Broadway Ave' }]);
  });

  it('replaces the work email value', () => {
    const { data } = applyPatch(USER, USER_DATA, patchBody({ op: 'replace', path: 'emails[type eq "work"].value', value: 'babs@example.org' }));
    expect(data.emails).toEqual([{ value: 'babs@example.org', type: 'work', primary: true }, USER_DATA.emails[1]]);
  });

  it('replaces attributes with no path: a multi-valued one as a whole', () => {
    const emails = [{ value: 'bjensen@example.com', type: 'work', primary: true }];
    const { data } = applyPatch(USER, USER_DATA, patchBody({ op: 'replace', value: { emails, nickname: 'Babs' } }));
    expect(data).toMatchObject({ emails, nickName: 'Babs', userName: 'bjensen' });
  });

  it('merges a complex single-valued attribute, leaving unnamed sub-attributes as they were', () => {
    const user = { ...USER_DATA, name: { givenName: 'Barbara', familyName: 'Jensen' } };
    const { data } = applyPatch(USER, user, patchBody({ op: 'replace', path: 'name', value: { givenName: 'Babs' } }));
    expect(data.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' });
  });

  it('answers noTarget when the filter matches nothing', () => {
    const body = patchBody({ op: 'replace', path: 'emails[type eq "other"].value', value: 'x@y' });
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, body))).toBe('noTarget');
  });

  it('treats a replace of an absent attribute as an add', () => {
    expect(applyPatch(USER, USER_DATA, patchBody({ op: 'replace', path: 'title', value: 'Tour Guide' })).data.title).toBe('Tour Guide');
  });
});

describe('the PatchOp message (RFC 7644 §3.5.2)', () => {
  const op = { op: 'replace', path: 'title', value: 'x' };
  it.each([
    ['no body', null],
    ['an array', [op]],
    ['no schemas', { Operations: [op] }],
    ['another schema', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [op] }],
    ['an extra schema', { schemas: [MIXED_CASE_PATCH_OP, 'urn:x'], Operations: [op] }],
    ['no Operations', { schemas: [MIXED_CASE_PATCH_OP] }],
    ['empty Operations (§3.5.2: "one or more")', patchBody()],
    ['Operations twice', { schemas: [MIXED_CASE_PATCH_OP], Operations: [op], operations: [op] }],
    ['an unknown op', patchBody({ op: 'move', path: 'title' })],
    ['an op that is not a string', patchBody({ op: 1, path: 'title' })],
    ['an operation that is not an object', patchBody('add')],
    ['1,001 operations', patchBody(...Array.from({ length: 1001 }, () => op))],
  ])('refuses %s as invalidSyntax', (_, body) => {
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, body))).toBe('invalidSyntax');
  });

  it('accepts 1,000 operations, "operations" in lower case and the schema URI in any case', () => {
    const body = { schemas: [MIXED_CASE_PATCH_OP], operations: Array.from({ length: 1000 }, (_, i) => ({ OP: 'Replace', Path: 'title', Value: `t${i}` })) };
    expect(applyPatch(USER, USER_DATA, body).data.title).toBe('t999');
  });

  it('needs a value for add and replace (invalidValue)', () => {
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'add', path: 'title' })))).toBe('invalidValue');
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'replace' })))).toBe('invalidValue');
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'add', value: 'not an object' })))).toBe('invalidValue');
  });

  it.each([
    ['an unknown attribute', 'nickNames'],
    ['an unknown sub-attribute', 'name.nick'],
    ['an unknown schema', 'urn:example:nope:2.0:User:title'],
    ['bad syntax', 'name..givenName'],
    ['an unclosed filter', 'emails[type eq "work"'],
    ['a bad filter', 'emails[type eq work]'],
    ['a filter on a single-valued attribute', 'name[givenName eq "x"]'],
    ['text after the filter', 'emails[type eq "work"]value'],
    ['two filters', 'emails[type eq "a"] or emails[type eq "b"]'],
    ['a filter over an unknown sub-attribute', 'emails[kind eq "work"]'],
    ['a filter value of the wrong type', 'emails[primary eq "yes"]'],
    ['a path that is not a string', 42],
    ['an empty path', ''],
  ])('refuses a path with %s as invalidPath', (_, path) => {
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'replace', path, value: 'x' })))).toBe('invalidPath');
  });

  it('applies all operations or none (the input is never changed)', () => {
    const body = patchBody({ op: 'replace', path: 'userName', value: 'babs' }, { op: 'remove', path: 'emails[type eq "fax"]' });
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, body))).toBe('noTarget');
    expect(USER_DATA.userName).toBe('bjensen');
  });

  it('names the failing operation in the message', () => {
    const body = patchBody({ op: 'replace', path: 'title', value: 'x' }, { op: 'remove', path: 'emails[type eq "fax"]' });
    expect(() => applyPatch(USER, USER_DATA, body)).toThrow(/^Operations\[1\] \(remove\): /);
  });
});
