import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from './config.js';
import { UserMapping } from './mapping.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const mapping = new UserMapping(DEFAULT_MAPPING, [], 'app');

describe('UserMapping', () => {
  it('builds a POST body with the schemas its paths use', () => {
    const body = mapping.toResource({ userName: 'ada', givenName: 'Ada', email: 'ada@example.com', department: 'R&D', title: null }, false);
    expect(body).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: 'ada',
      name: { givenName: 'Ada' },
      emails: [{ type: 'work', value: 'ada@example.com' }],
      [ENTERPRISE]: { department: 'R&D' },
      active: false,
    });
  });

  it('blind PATCH: replace each given path, remove what is null', () => {
    expect(mapping.patchOperations({ familyName: 'Lovelace', email: null, manager: 'u-9' })).toEqual([
      { op: 'replace', path: 'name.familyName', value: 'Lovelace' },
      { op: 'remove', path: 'emails[type eq "work"]' },
      { op: 'replace', path: `${ENTERPRISE}:manager.value`, value: 'u-9' },
    ]);
  });

  it('PATCH against a known state sends only differences, and adds a selected element that is missing', () => {
    const current = { id: '1', userName: 'ada', displayName: 'Ada', emails: [{ type: 'home', value: 'h@example.com' }], active: 'True' };
    expect(mapping.patchOperations({ userName: 'ada', displayName: 'Ada L.', email: 'w@example.com' }, current, true)).toEqual([
      { op: 'replace', path: 'displayName', value: 'Ada L.' },
      { op: 'add', path: 'emails', value: [{ type: 'work', value: 'w@example.com' }] },
    ]);
    expect(mapping.patchOperations({ userName: 'ada' }, current, false)).toEqual([{ op: 'replace', path: 'active', value: false }]);
  });

  it('reads Roster attributes back, with SCIM booleans sent as strings', () => {
    const user = { id: '1', userName: 'ada', emails: [{ type: 'work', value: 'w@example.com' }], [ENTERPRISE]: { manager: { value: 'u-9' } }, active: 'False' };
    expect(mapping.fromResource(user)).toEqual({ attributes: { userName: 'ada', email: 'w@example.com', manager: 'u-9' }, enabled: false });
  });

  it('refuses an attribute it has no mapping for instead of dropping it', () => {
    expect(() => mapping.toResource({ userName: 'ada', shoeSize: 42 }, true)).toThrow(/shoeSize has no SCIM mapping/);
  });

  it('PUT body: the current resource with the change, read-only attributes dropped', () => {
    const current = { id: '1', userName: 'ada', groups: [{ value: 'g' }], meta: { version: 'W/"1"' }, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], title: 'Eng' };
    expect(mapping.applyTo(current, { title: null }, false)).toEqual({
      id: '1', userName: 'ada', title: null, active: false, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    });
  });
});
