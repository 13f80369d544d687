import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import { isRosterError } from '../core/errors.js';
import type { ScimResource } from '../store/types.js';
import { readSource } from './read.js';
import { checkScimPathSyntax, parseScimPaths, readScimPath, readScimSource, scimMapping, scimUserKey, scimUserRow, scimUserSchema, scimUsersToBatch, scimUserToRecord } from './scim.js';

const SCHEMA = scimUserSchema([{ id: 'urn:example:params:scim:schemas:extension:acme:2.0:User', attributes: [{ name: 'badge', type: 'string' }] }]);
const parseScimPath = (text: string) => {
  const [path, ...rest] = parseScimPaths(text, SCHEMA);
  expect(rest).toEqual([]);
  return path!;
};

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const FIELDS = { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' };

function source(over: Partial<SourceConfig> = {}): SourceConfig {
  return {
    id: 'idp', type: 'scim', key: 'employeeId', fields: FIELDS, delimiter: ',', complete: true, maxMissing: { percent: 20 },
    attributes: { employeeId: `${ENTERPRISE}:employeeNumber` },
    ...over,
  };
}

/** A User as Entra ID provisions it, in stored form (no id / meta). */
function user(id: string, over: Record<string, unknown> = {}, enterprise: Record<string, unknown> = {}): ScimResource {
  return {
    resourceType: 'User', id, version: 1, created: '2026-11-27T08:00:00.000Z', lastModified: '2026-11-27T08:00:00.000Z',
    data: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: `${id}@example.com`,
      externalId: `ext-${id}`,
      active: true,
      displayName: 'Ada Lovelace',
      title: 'Engineer',
      name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
      emails: [{ value: 'ada@home.example', type: 'home' }, { value: 'Ada.Lovelace@example.com', type: 'work', primary: true }],
      [ENTERPRISE]: { employeeNumber: `E-${id}`, department: 'Engineering', ...enterprise },
      ...over,
    },
  };
}

describe('SCIM attribute paths', () => {
  it('resolves plain, sub-attribute, URN-qualified and filtered paths to canonical names', () => {
    expect(parseScimPath('USERNAME').target).toMatchObject({ attribute: { name: 'userName' } });
    expect(parseScimPath('name.givenname').target).toMatchObject({ attribute: { name: 'name' }, sub: { name: 'givenName' } });
    expect(parseScimPath(`${ENTERPRISE}:manager.value`).target).toMatchObject({ extension: { id: ENTERPRISE }, attribute: { name: 'manager' }, sub: { name: 'value' } });
    const work = parseScimPath('emails[type eq "work"].value');
    expect(work.target).toMatchObject({ attribute: { name: 'emails' }, sub: { name: 'value' }, filter: { kind: 'compare', operator: 'eq', value: 'work' } });
    expect(work.select).toBeTypeOf('function');
    expect(parseScimPath('department').target.extension?.id).toBe(ENTERPRISE);
    expect(parseScimPath('badge').target.extension?.id).toBe('urn:example:params:scim:schemas:extension:acme:2.0:User');
  });

  it('splits alternatives on | outside quoted strings', () => {
    const paths = parseScimPaths('emails[value co "a|b"].value | emails.value', SCHEMA);
    expect(paths.map((p) => p.text)).toEqual(['emails[value co "a|b"].value', 'emails.value']);
  });

  it.each([
    ['name.givenName.x', /too many '\.'/],
    ['emails[type eq "work"', /invalid path/],
    ['emails[type eq "work"]x', /invalid path/],
    ['emails.value | ', /empty path/],
    ['name.givenNmae', /has no sub-attribute 'givenNmae'/],
    ['nickname[value eq "x"]', /a filter needs a multi-valued attribute/],
    ['urn:example:nope:User:badge', /unknown schema/],
  ])('refuses %j', (text, message) => {
    let caught: unknown;
    try {
      parseScimPaths(text, SCHEMA);
    } catch (error) {
      caught = error;
    }
    expect(isRosterError(caught, 'config.invalid')).toBe(true);
    expect((caught as Error).message).toMatch(/^invalid SCIM attribute path '/);
    expect((caught as Error).message).toMatch(message);
  });

  it('checks syntax alone where no schema is at hand', () => {
    expect(() => checkScimPathSyntax('name.givenNmae')).not.toThrow();
    expect(() => checkScimPathSyntax('emails[type eq')).toThrow(/invalid SCIM attribute path/);
  });

  it('reads values case-insensitively, from extensions, and the primary or matching element of a list', () => {
    const data = user('u1').data;
    expect(readScimPath(data, parseScimPath('NAME.GIVENNAME'))).toBe('Ada');
    expect(readScimPath(data, parseScimPath('department'))).toBe('Engineering');
    expect(readScimPath(data, parseScimPath('emails.value'))).toBe('Ada.Lovelace@example.com');
    expect(readScimPath(data, parseScimPath('emails[type eq "HOME"].value'))).toBe('ada@home.example');
    expect(readScimPath(data, parseScimPath('emails[not (type eq "work") and value ew ".example"].value'))).toBe('ada@home.example');
    expect(readScimPath(data, parseScimPath('emails[primary eq true].type'))).toBe('work');
    expect(readScimPath(data, parseScimPath('emails[type eq "other"].value'))).toBeUndefined();
    expect(readScimPath(data, parseScimPath('emails[display eq null].value'))).toBe('Ada.Lovelace@example.com');
    expect(readScimPath(data, parseScimPath('urn:ietf:params:scim:schemas:core:2.0:User:title'))).toBe('Engineer');
  });
});

describe('scimUserToRecord', () => {
  const mapping = scimMapping(source(), SCHEMA);

  it('maps an Entra-shaped User with the default mapping', () => {
    const record = scimUserToRecord(user('u1'), mapping);
    expect(record).toEqual({
      employeeId: 'E-u1', userName: 'u1@example.com', externalId: 'ext-u1', givenName: 'Ada', familyName: 'Lovelace',
      displayName: 'Ada Lovelace', email: 'Ada.Lovelace@example.com', title: 'Engineer', department: 'Engineering',
      employeeNumber: 'E-u1', managerId: '', status: 'active', endDate: '',
    });
  });

  it('takes the first e-mail when none is work or primary, and leaves a cleared value empty', () => {
    const record = scimUserToRecord(user('u1', { emails: [{ value: 'x@example.com' }, { value: 'y@example.com' }], title: null }), mapping);
    expect(record['email']).toBe('x@example.com');
    expect(record['title']).toBe('');
  });

  it.each([
    [true, 'active'], [false, 'inactive'], ['False', 'inactive'], ['TRUE', 'active'], [undefined, 'active'],
  ])('active %j is status %j', (active, status) => {
    expect(scimUserToRecord(user('u1', { active }), mapping)['status']).toBe(status);
  });

  it('gives an inactive User the source disabledStatus', () => {
    const onLeave = scimMapping(source({ disabledStatus: 'leave' }), SCHEMA);
    expect(scimUserToRecord(user('u1', { active: false }), onLeave)['status']).toBe('leave');
  });

  it('keeps the manager as sent; the batch resolves it to the key of the User it names, else keeps it', () => {
    const managed = user('u2', {}, { manager: { value: 'u1', displayName: 'Boss' } });
    expect(scimUserToRecord(managed, mapping)['managerId']).toBe('u1');
    const rows = [scimUserRow(managed, mapping), scimUserRow(user('u3', {}, { manager: { value: 'E-9' } }), mapping)];
    const batch = scimUsersToBatch(rows, mapping, (id) => (id === 'u1' ? 'E-u1' : undefined), false);
    expect(batch.records.map((r) => r.attributes['managerId'])).toEqual(['E-u1', 'E-9']);
  });

  it('lets attributes replace a default and add fields; the key is read from its path', () => {
    const custom = scimMapping(source({ attributes: { employeeId: 'externalId', email: 'emails[type eq "home"].value', costCenter: `${ENTERPRISE}:costCenter` } }), SCHEMA);
    const resource = user('u1', {}, { costCenter: 'CC-7' });
    expect(scimUserToRecord(resource, custom)).toMatchObject({ employeeId: 'ext-u1', email: 'ada@home.example', costCenter: 'CC-7' });
    expect(scimUserKey(resource, custom)).toBe('ext-u1');
    expect(scimUserKey(user('u3', { externalId: '  ' }), custom)).toBeUndefined();
  });
});

describe('readScimSource', () => {
  const store = (resources: readonly ScimResource[]) => ({
    async *iterate(type: string) {
      expect(type).toBe('User');
      yield* resources;
    },
  });

  it('reads every User as a complete batch, managers resolved whatever the order', async () => {
    const batch = await readScimSource(source(), store([user('u2', {}, { manager: { value: 'u1' } }), user('u1', { active: false })]), SCHEMA);
    expect(batch).toMatchObject({ sourceId: 'idp', complete: true, rowsRead: 2, problems: [] });
    expect(batch.records.map((r) => [r.key, r.attributes['managerId'], r.attributes['status']])).toEqual([
      ['E-u2', 'E-u1', 'active'],
      ['E-u1', '', 'inactive'],
    ]);
  });

  it('reports a User without a key (by id and userName) and a duplicated key', async () => {
    const noKey = user('u3', {}, { employeeNumber: '' });
    const batch = await readScimSource(source({ complete: false }), store([user('u1'), noKey, { ...user('u1'), id: 'u4' }]), SCHEMA);
    expect(batch.complete).toBe(false);
    expect(batch.records.map((r) => r.key)).toEqual(['E-u1']);
    expect(batch.problems).toEqual([
      { line: 2, message: `User u3 (userName u3@example.com) has no value for the key "employeeId" (${ENTERPRISE}:employeeNumber)` },
      { line: 3, key: 'E-u1', message: 'duplicate key "E-u1" on line 3: first seen on line 1' },
    ]);
  });

  it('is what readSource returns for a scim source, which needs the store', async () => {
    const badge = source({ attributes: { employeeId: 'urn:example:params:scim:schemas:extension:acme:2.0:User:badge' } });
    const extensions = [{ id: 'urn:example:params:scim:schemas:extension:acme:2.0:User', attributes: [{ name: 'badge', type: 'string' as const }] }];
    const resource = user('u1', { 'urn:example:params:scim:schemas:extension:acme:2.0:User': { badge: 'B-7' } });
    const read = await readSource(badge, { state: { get: async () => undefined }, baseDir: '/', scim: { store: store([resource]), extensions } });
    expect(read.mode).toBe('full');
    expect(read.batch.records.map((r) => r.key)).toEqual(['B-7']);
    await expect(readSource(source(), { state: { get: async () => undefined }, baseDir: '/' })).rejects.toMatchObject({ code: 'source.unavailable' });
  });
});
