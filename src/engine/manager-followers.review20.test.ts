import { describe, expect, it } from 'vitest';
import type { Change, Identity, LinkedAccount } from '../core/types.js';
import { LinkIndex } from '../planner/index.js';
import { managerAccountReads } from '../policy/manager-account-reads.js';
import { changedIn, deferredIn, deferredReferences } from './deferred-references.js';

const person = (id: string, manager?: string): Identity => ({
  id, sourceId: 'hr', attributes: { employeeId: id, ...(manager === undefined ? {} : { managerId: manager }) }, status: 'active',
} as unknown as Identity);
const change = (identity: string, action: Change['action'], before: Record<string, string> = {}, after: Record<string, string> = {}): Change => ({
  id: `ldap:${identity}:${action}`, identity, target: 'ldap', action, before: { attributes: before }, after: { attributes: after }, reasons: [],
});
const link = (identity: string): LinkedAccount => ({
  target: 'ldap', identityId: identity, accountId: `${identity}-id`, attributes: {}, entitlements: [], enabled: true, createdAt: '', updatedAt: '',
});

describe('reports following a manager\'s changed account (review20)', () => {
  const dnReads = new Map([['ldap', managerAccountReads(['managerAccount.enabled ? managerAccount.attributes.uid + managerAccount.attributes.department : ""'])]]);
  const guidReads = new Map([['ldap', managerAccountReads(['has(managerAccount.id) ? managerAccount.id : ""'])]]);

  it('changedIn: a move or rename of an attribute read, a disable or enable when enabled is read, any delete', () => {
    const changes = [
      change('M1', 'update', { department: 'Eng' }, { department: 'Ops' }),
      change('M2', 'update', { title: 'a' }, { title: 'b' }),
      change('M3', 'disable'),
      change('M4', 'delete'),
      change('M5', 'grant'),
    ];
    expect(changedIn(changes, dnReads).get('ldap')).toEqual(new Set(['M1', 'M3', 'M4']));
    // A mapping that reads only the id: AD's <GUID=…> follows a move by itself; only a delete changes it.
    expect(changedIn(changes, guidReads).get('ldap')).toEqual(new Set(['M4']));
  });

  it('names the planned reports with an account there in a reference.deferred note, and the reports outside the plan', () => {
    const people = [person('M1'), person('R1', 'M1'), person('R2', 'M1'), person('R3', 'M9')];
    const byId = new Map(people.map((p) => [p.id, p]));
    const managerOf = (i: Identity) => byId.get(String(i.attributes.managerId ?? ''));
    const links = new LinkIndex([link('M1'), link('R1'), link('R3')]);
    const moved = [change('M1', 'update', { uid: 'max' }, { uid: 'maxwell' })];
    const notes = deferredReferences(moved, dnReads, people, managerOf, links, links, new Map(), { reads: dnReads, outside: new Map([['ldap', ['R7']]]) });
    expect(deferredIn({ diagnostics: notes })).toEqual(new Map([['ldap', new Set(['R1', 'R7'])]]));
    expect(notes[0]?.message).toContain('follow the manager\'s account this plan changes');
    // Without followers, or with nothing read changed, there is no note.
    expect(deferredReferences(moved, dnReads, people, managerOf, links, links)).toEqual([]);
    expect(deferredReferences(moved, guidReads, people, managerOf, links, links, new Map(), { reads: guidReads })).toEqual([]);
  });
});
