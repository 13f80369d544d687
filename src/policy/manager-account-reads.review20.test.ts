import { describe, expect, it } from 'vitest';
import { managerAccountReads } from './manager-account-reads.js';

describe('managerAccountReads (review20)', () => {
  it('tells id, enabled and the attributes a mapping reads from its text', () => {
    expect(managerAccountReads(['has(managerAccount.id) ? "<GUID=" + managerAccount.id + ">" : ""'])).toEqual({ id: true, enabled: false, attributes: new Set() });
    const ldap = managerAccountReads([
      'has(managerAccount.id) && managerAccount.enabled ? "uid=" + managerAccount.attributes.uid + ",ou=" + managerAccount.attributes["department"] : ""',
      'identity.givenName',
    ]);
    expect(ldap).toEqual({ id: true, enabled: true, attributes: new Set(['uid', 'department']) });
  });

  it('reads everything when the map is used in a way its text does not tell', () => {
    expect(managerAccountReads(['managerAccount.attributes[identity.field]']).attributes).toBe('all');
    expect(managerAccountReads(['managerAccount.attributes.size() > 0 ? "x" : ""']).attributes).toBe('all');
    expect(managerAccountReads(['"id" in managerAccount ? "x" : ""'])).toEqual({ id: true, enabled: true, attributes: 'all' });
  });
});
