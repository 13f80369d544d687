import { describe, expect, it } from 'vitest';
import { applyPatch, MAX_VALUE_VISITS } from './patch.js';
import { ACME, deepFreeze, ENTERPRISE, GROUP, patchBody, scimTypeOf, USER } from './patch-test-schemas.js';

const USER_DATA = deepFreeze({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ACME],
  userName: 'bjensen',
  name: { givenName: 'Barbara' },
  emails: [
    { value: 'b@work.example', type: 'work', primary: true },
    { value: 'b@home.example', type: 'home' },
  ],
  groups: [{ value: 'g1', display: 'Tour Guides' }],
  [ACME]: { badge: 'B-1', clearance: 'low' },
});
const patch = (...operations: unknown[]) => applyPatch(USER, USER_DATA, patchBody(...operations));
const fault = (...operations: unknown[]) => scimTypeOf(() => patch(...operations));

describe('attribute names', () => {
  it('match ignoring case and come out canonical', () => {
    const { data } = patch(
      { op: 'replace', path: 'USERNAME', value: 'babs' },
      { op: 'replace', path: 'Name.GivenName', value: 'Babs' },
      { op: 'replace', path: 'EMAILS[TYPE EQ "WORK"].VALUE', value: 'babs@work.example' },
      { op: 'add', path: `${ENTERPRISE.toUpperCase()}:DEPARTMENT`, value: 'Tours' },
      { op: 'add', path: 'urn:ietf:params:scim:schemas:core:2.0:user:Title', value: 'Guide' },
    );
    expect(data).toMatchObject({ userName: 'babs', name: { givenName: 'Babs' }, title: 'Guide', [ENTERPRISE]: { department: 'Tours' } });
    expect((data.emails as unknown[])[0]).toEqual({ value: 'babs@work.example', type: 'work', primary: true });
    expect(Object.keys(data)).not.toContain('USERNAME');
  });

  it('take a whole extension as a path, its value an object of its attributes', () => {
    const { data } = patch({ op: 'add', path: ENTERPRISE, value: { costCenter: '4130', Division: 'Theme Park' } });
    expect(data[ENTERPRISE]).toEqual({ costCenter: '4130', division: 'Theme Park' });
  });
});

describe('multi-valued attributes and primary (RFC 7643 §2.4)', () => {
  it('an added primary value takes the flag from the others', () => {
    const { data } = patch({ op: 'add', path: 'emails', value: [{ value: 'new@x.example', type: 'other', primary: true }] });
    expect(data.emails).toEqual([
      { value: 'b@work.example', type: 'work', primary: false },
      { value: 'b@home.example', type: 'home' },
      { value: 'new@x.example', type: 'other', primary: true },
    ]);
  });

  it('a value made primary through a filter takes the flag too', () => {
    const { data } = patch({ op: 'replace', path: 'emails[type eq "home"].primary', value: true });
    expect(data.emails).toEqual([
      { value: 'b@work.example', type: 'work', primary: false },
      { value: 'b@home.example', type: 'home', primary: true },
    ]);
  });

  it('two primary values in one list are refused (invalidValue)', () => {
    const emails = [{ value: 'a@x', primary: true }, { value: 'b@x', primary: 'True' }];
    expect(fault({ op: 'replace', path: 'emails', value: emails })).toBe('invalidValue');
  });

  it('adding a known value again (value and type, ignoring case) merges into it instead of doubling it', () => {
    const { data } = patch({ op: 'add', path: 'emails', value: { value: 'B@work.example', type: 'Work', display: 'Work' } });
    expect(data.emails).toEqual([{ value: 'B@work.example', type: 'Work', primary: true, display: 'Work' }, USER_DATA.emails[1]]);
  });

  it('a simple multi-valued attribute is filtered on "value"', () => {
    const tagged = patch({ op: 'add', path: `${ACME}:tags`, value: ['a', 'b', 'a'] }).data;
    expect((tagged[ACME] as Record<string, unknown>).tags).toEqual(['a', 'b']);
    const untagged = applyPatch(USER, tagged, patchBody({ op: 'remove', path: `${ACME}:tags[value eq "a"]` })).data;
    expect((untagged[ACME] as Record<string, unknown>).tags).toEqual(['b']);
  });
});

describe('mutability (RFC 7644 §3.5.2, RFC 7643 §2.2)', () => {
  it('refuses a path that would change a readOnly attribute (§3.5.2), and accepts repeating its value', () => {
    expect(fault({ op: 'add', path: 'groups', value: [{ value: 'g2' }] })).toBe('mutability');
    expect(fault({ op: 'remove', path: 'groups' })).toBe('mutability');
    expect(fault({ op: 'replace', path: 'groups[value eq "g1"].display', value: 'Renamed' })).toBe('mutability');
    expect(fault({ op: 'replace', path: `${ACME}:clearance`, value: 'high' })).toBe('mutability');
    expect(patch({ op: 'replace', path: `${ACME}:clearance`, value: 'low' }).changed).toBe(false);
  });

  it('ignores readOnly attributes echoed in a no-path value, as a PUT does (§3.5.1)', () => {
    for (const value of [
      { groups: [{ value: 'g9', display: 'Echoed' }] },
      { groups: [] },
      { [ACME]: { clearance: 'top' } },
      { [`${ACME}:clearance`]: 'top' },
    ]) {
      expect(patch({ op: 'replace', value })).toEqual({ data: USER_DATA, changed: false });
    }
    // The server's case: `groups` is computed, never stored, and a client echoes what it read.
    const { groups: _computed, ...stored } = USER_DATA;
    const echoed = applyPatch(USER, stored, patchBody({ op: 'replace', value: { userName: 'bjensen', groups: [{ value: 'g1', display: 'Tour Guides' }] } }));
    expect(echoed).toEqual({ data: stored, changed: false });
    const { data, changed } = patch({ op: 'replace', value: { displayName: 'Babs', groups: [{ value: 'g9' }], [ACME]: { clearance: 'top', badge: 'B-1' } } });
    expect(changed).toBe(true);
    expect(data).toEqual({ ...USER_DATA, displayName: 'Babs' });
  });

  it('drops a readOnly sub-attribute from a value (manager.displayName echoed back)', () => {
    const { data } = patch({ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: 'm-1', displayName: 'Boss' } });
    expect(data[ENTERPRISE]).toEqual({ manager: { value: 'm-1' } });
  });

  it('lets an immutable attribute be set once, never changed or removed', () => {
    const fresh = { ...USER_DATA, [ACME]: { clearance: 'low' } };
    const set = applyPatch(USER, fresh, patchBody({ op: 'add', path: `${ACME}:badge`, value: 'B-9' }));
    expect(set.data[ACME]).toEqual({ clearance: 'low', badge: 'B-9' });
    expect(fault({ op: 'replace', path: `${ACME}:badge`, value: 'B-2' })).toBe('mutability');
    expect(fault({ op: 'remove', path: `${ACME}:badge` })).toBe('mutability');
    expect(patch({ op: 'replace', path: `${ACME}:badge`, value: 'B-1' }).changed).toBe(false);
  });

  it('checks an immutable sub-attribute of the selected elements', () => {
    const group = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: [{ value: 'u1' }] };
    const body = patchBody({ op: 'replace', path: 'members[value eq "u1"].value', value: 'u2' });
    expect(scimTypeOf(() => applyPatch(GROUP, group, body))).toBe('mutability');
  });

  it('refuses to remove or unassign a required attribute (§3.5.2.2: mutability)', () => {
    expect(fault({ op: 'remove', path: 'userName' })).toBe('mutability');
    expect(fault({ op: 'replace', path: 'userName', value: null })).toBe('mutability');
    expect(fault({ op: 'replace', value: { userName: null } })).toBe('mutability');
  });

  it('refuses to change the id, and ignores it repeated', () => {
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'replace', path: 'id', value: 'other' }), { id: 'u-1' }))).toBe('mutability');
    expect(scimTypeOf(() => applyPatch(USER, USER_DATA, patchBody({ op: 'remove', path: 'id' }), { id: 'u-1' }))).toBe('mutability');
    expect(applyPatch(USER, USER_DATA, patchBody({ op: 'replace', path: 'id', value: 'u-1' }), { id: 'u-1' }).changed).toBe(false);
  });
});

describe('values by type', () => {
  const acme = (value: unknown) => (patch({ op: 'replace', path: ACME, value }).data[ACME] as Record<string, unknown>);

  it('coerces numbers, numeric strings, date-times and boolean strings', () => {
    expect(acme({ level: '42', score: '-1.5e1', hired: '2026-03-01T10:00:00+02:00', contractor: 'false' })).toEqual({
      badge: 'B-1', clearance: 'low', level: 42, score: -15, hired: '2026-03-01T08:00:00.000Z', contractor: false,
    });
  });

  it.each([
    ['a word as integer', { level: 'forty' }],
    ['a fraction as integer', { level: 1.5 }],
    ['a number too large to be exact', { level: 2 ** 60 }],
    ['a word as decimal', { score: 'NaN' }],
    ['a numeral with a fraction as integer', { level: '1.5' }],
    ['an impossible date', { hired: '2026-02-31T00:00:00Z' }],
    ['29 February of a common year', { hired: '2026-02-29' }],
    ['a number as dateTime', { hired: 0 }],
    ['a number as boolean', { contractor: 1 }],
    ['a number as string', { badge: 7 }],
    ['an object as string', { tags: [{ a: 1 }] }],
    ['an unknown attribute', { rank: 'x' }],
    ['U+0000 in a string (PostgreSQL cannot store it)', { tags: ['a\u0000'] }],
    ['a string past the length limit', { tags: ['x'.repeat(5000)] }],
  ])('refuses %s (invalidValue)', (_, value) => {
    expect(scimTypeOf(() => acme(value))).toBe('invalidValue');
  });

  it('refuses an unknown sub-attribute and a list for a single-valued complex attribute', () => {
    expect(fault({ op: 'replace', path: 'name', value: { givenName: 'B', nick: 'x' } })).toBe('invalidValue');
    expect(fault({ op: 'replace', path: 'name', value: [{ givenName: 'B' }] })).toBe('invalidValue');
  });

  it('does not walk a deeply nested value (the walk follows the schema)', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i += 1) deep = { givenName: deep };
    expect(fault({ op: 'replace', path: 'name', value: deep })).toBe('invalidValue');
  });

  it('treats null as unassigned: replace removes, add changes nothing', () => {
    expect(patch({ op: 'replace', path: 'name.givenName', value: null }).data).not.toHaveProperty('name');
    expect(patch({ op: 'add', path: 'name.givenName', value: null }).changed).toBe(false);
  });
});

describe('prototype pollution', () => {
  const attempts: readonly [string, unknown][] = [
    ['a __proto__ key in a no-path value', JSON.parse('{"op":"add","value":{"__proto__":{"polluted":"yes"}}}')],
    ['a __proto__ key inside a complex value', JSON.parse('{"op":"add","path":"name","value":{"__proto__":{"polluted":"yes"}}}')],
    ['a constructor.prototype key', { op: 'add', value: { 'constructor.prototype': { polluted: 'yes' } } }],
    ['a __proto__ path', { op: 'add', path: '__proto__.polluted', value: 'yes' }],
    ['a constructor path', { op: 'replace', path: 'constructor', value: { prototype: { polluted: 'yes' } } }],
    ['a __proto__ in a filter', { op: 'replace', path: 'emails[__proto__ eq "x"].value', value: 'yes' }],
    ['an extension object with __proto__', JSON.parse(`{"op":"add","value":{"${ACME}":{"__proto__":{"polluted":"yes"}}}}`)],
  ];

  it.each(attempts)('refuses %s and leaves every prototype alone', (_, operation) => {
    expect(['invalidValue', 'invalidPath']).toContain(fault(operation));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('accepts a __proto__ member on the body and operations without using it', () => {
    const body = JSON.parse(`{"__proto__":{"x":1},"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"__proto__":{"op":"remove"},"op":"replace","path":"title","value":"T"}]}`);
    const { data } = applyPatch(USER, USER_DATA, body);
    expect(data.title).toBe('T');
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });
});

describe('bounds', () => {
  const members = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => ({ value: `${prefix}${i}` }));
  const group = deepFreeze({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Big', members: members(50_000, 'old') });

  it('adds and removes 50,000 members of a 50,000-member group in one pass each (not pairwise)', () => {
    const started = performance.now();
    const added = applyPatch(GROUP, group, patchBody({ op: 'add', path: 'members', value: [...members(50_000, 'new'), ...members(10, 'old')] })).data;
    const removed = applyPatch(GROUP, added, patchBody({ op: 'remove', path: 'members', value: members(50_000, 'old') })).data;
    expect((added.members as unknown[]).length).toBe(100_000);
    expect(removed.members).toEqual(members(50_000, 'new'));
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses a request that would scan more than MAX_VALUE_VISITS values (tooMany), and allows one below', () => {
    const big = deepFreeze({ ...group, members: members(100_000, 'm') });
    const removals = (count: number) => patchBody(...Array.from({ length: count }, (_, i) => ({ op: 'remove', path: `members[value eq "m${i}"]` })));
    expect((applyPatch(GROUP, big, removals(50)).data.members as unknown[]).length).toBe(99_950);
    const started = performance.now();
    expect(scimTypeOf(() => applyPatch(GROUP, big, removals(1000)))).toBe('tooMany');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(MAX_VALUE_VISITS).toBe(10_000_000);
  });
});

describe('value paths over simple values', () => {
  it('replaces equal selected values with one value', () => {
    const user = { ...USER_DATA, [ACME]: { tags: ['a', 'x', 'a'] } };
    const { data } = applyPatch(USER, user, patchBody({ op: 'replace', path: `${ACME}:tags[value eq "a"]`, value: 'b' }));
    expect(data[ACME]).toEqual({ tags: ['b', 'x'] });
  });
});

describe('adding a value that is there', () => {
  it('merges a member added again with a type into the one element', () => {
    const group = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: [{ value: 'u1' }] };
    const { data } = applyPatch(GROUP, group, patchBody({ op: 'add', path: 'members', value: [{ value: 'u1', type: 'User', display: 'One' }] }));
    expect(data.members).toEqual([{ value: 'u1', type: 'User', display: 'One' }]);
  });

  it('keeps the same address under another type as a second value', () => {
    const { data } = patch({ op: 'add', path: 'emails', value: { value: 'b@work.example', type: 'other' } });
    expect(data.emails).toEqual([...USER_DATA.emails, { value: 'b@work.example', type: 'other' }]);
  });
});

describe('value paths, the less common shapes', () => {
  it('add with a filter and no match creates the element the filter describes, merged with the value', () => {
    const { data } = patch({ op: 'add', path: 'emails[type eq "other"]', value: { value: 'o@x.example', display: 'Other' } });
    expect((data.emails as unknown[])[2]).toEqual({ type: 'other', value: 'o@x.example', display: 'Other' });
  });

  it('add with a filter that is not a conjunction of eq terms and no match is noTarget', () => {
    expect(fault({ op: 'add', path: 'emails[type eq "a" or type eq "b"].value', value: 'x@y' })).toBe('noTarget');
  });

  it('remove of a sub-attribute of the selected elements keeps the elements', () => {
    const { data } = patch({ op: 'remove', path: 'emails[type eq "work"].primary' });
    expect(data.emails).toEqual([{ value: 'b@work.example', type: 'work' }, USER_DATA.emails[1]]);
  });

  it('replace of the selected elements with null removes them', () => {
    expect(patch({ op: 'replace', path: 'emails[type eq "home"]', value: null }).data.emails).toEqual([USER_DATA.emails[0]]);
  });

  it('replace of a sub-attribute without a filter applies to every element', () => {
    const { data } = patch({ op: 'replace', path: 'emails.display', value: 'Mail' });
    expect(data.emails).toEqual(USER_DATA.emails.map((email) => ({ ...email, display: 'Mail' })));
  });
});
