import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../config/types.js';
import { cursorScope, isCursorOf, withScope } from './scope.js';
import { mappingRules } from './settings.js';

const source = (over: Partial<SourceConfig> = {}, connection: Record<string, unknown> = {}): SourceConfig => ({
  id: 'corp', type: 'ldap', key: 'employeeNumber', complete: true,
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' },
  attributes: { givenName: 'givenName', email: 'mail' },
  connection: { base: 'ou=People,dc=example,dc=com', ...connection },
  ...over,
} as unknown as SourceConfig);

const scopeOf = (s: SourceConfig, filter = '(objectClass=inetOrgPerson)') => cursorScope(s, mappingRules(s), filter);

describe('cursor scope (review 19)', () => {
  it('is the same for the same source, whatever the order of its attributes or the spelling of its base', () => {
    const a = scopeOf(source());
    expect(scopeOf(source({ attributes: { email: 'mail', givenName: 'givenName' } }))).toBe(a);
    expect(scopeOf(source({}, { base: 'OU=people, DC=example,DC=com' }))).toBe(a);
  });

  it('changes with the base, the filter, the key, a mapped attribute and the sync method', () => {
    const a = scopeOf(source());
    const others = [
      scopeOf(source({}, { base: 'ou=Staff,dc=example,dc=com' })), scopeOf(source(), '(objectClass=person)'),
      scopeOf(source({ key: 'uid' })), scopeOf(source({ attributes: { givenName: 'givenName', email: 'mail', title: 'title' } })),
      scopeOf(source({ changes: 'syncrepl' } as Partial<SourceConfig>)),
    ];
    expect(new Set([a, ...others]).size).toBe(others.length + 1);
  });

  it('a cursor stored before cursors had a scope is still the source\'s; one of another scope is not', () => {
    expect(isCursorOf({ kind: 'timestamp', at: '20260101000000Z', boundary: {} }, 'S')).toBe(true);
    expect(isCursorOf(undefined, 'S')).toBe(true);
    expect(isCursorOf(withScope({ kind: 'sync' }, 'S'), 'S')).toBe(true);
    expect(isCursorOf(withScope({ kind: 'sync' }, 'T'), 'S')).toBe(false);
    expect(withScope(undefined, 'S')).toBeUndefined();
  });
});
