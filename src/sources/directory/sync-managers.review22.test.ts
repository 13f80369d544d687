import { describe, expect, it } from 'vitest';
import { leftManagers } from './sync-managers.js';
import type { DirectoryEntry } from './values.js';

const entry = (dn: string): DirectoryEntry => ({ dn, values: new Map() });
const U1 = '11111111-1111-1111-1111-111111111111';
const U2 = '22222222-2222-2222-2222-222222222222';

describe('leftManagers (review 22)', () => {
  it('names the gone keys unlinked and asks for the reports of the leavers still in the naming context and of newcomers', async () => {
    const asked: string[][] = [];
    const reader = { byEntryUuidInContext: async (uuids: readonly string[]) => { asked.push([...uuids]); return [entry('uid=m2,ou=elsewhere,dc=x')]; } };
    const left = await leftManagers(reader, {
      managerAttribute: 'Manager', removed: { [U1]: 'M1', [U2]: 'M2' }, gone: ['M1', 'M2'], added: [entry('uid=new,ou=p,dc=x')],
    });
    expect(left).toEqual({ unlinked: ['M1', 'M2'], managers: ['uid=m2,ou=elsewhere,dc=x', 'uid=new,ou=p,dc=x'] });
    expect(asked).toEqual([[U1, U2]]);
  });

  it('a key another entry still holds is not unlinked; nothing gone asks the directory nothing', async () => {
    const reader = { byEntryUuidInContext: async () => { throw new Error('not asked'); } };
    expect(await leftManagers(reader, { managerAttribute: 'manager', removed: { [U1]: 'M1' }, gone: [], added: [entry('uid=new,dc=x')] }))
      .toEqual({ unlinked: [], managers: [] });
  });

  it('a manager field mapped from another attribute (it may hold a key a full pass keeps): nothing', async () => {
    const reader = { byEntryUuidInContext: async () => { throw new Error('not asked'); } };
    expect(await leftManagers(reader, { managerAttribute: 'managerNumber', removed: { [U1]: 'M1' }, gone: ['M1'], added: [] }))
      .toEqual({ unlinked: [], managers: [] });
  });
});
