import { describe, expect, it } from 'vitest';
import { link, NOW } from '../policy/test-config.js';
import { applyPlan, planOf, want } from './plan-fixtures.js';

const actions = (p: { changes: readonly { action: string }[] }): string[] => p.changes.map((c) => c.action);

describe('plan: actions', () => {
  it('creates a new account with its key, then grants its entitlements', () => {
    const p = planOf([want('e1', { entitlements: ['git', 'users'], reasons: ['joiner'] })]);
    expect(actions(p)).toEqual(['create', 'grant', 'grant']);
    expect(p.changes[0]).toEqual({
      id: 'app:e1:create', identity: 'e1', target: 'app', action: 'create', before: null,
      after: { accountId: 'e1', enabled: true, attributes: { username: 'e1', email: 'e1@example.com' } }, reasons: ['joiner'],
    });
    expect(p.changes[1]).toMatchObject({ id: 'app:e1:grant:git', after: { accountId: 'e1', entitlement: 'git' }, reasons: ['joiner', 'role.added'] });
    expect(p).toMatchObject({ id: 'p1', basis: 7, createdAt: NOW.toISOString(), held: false, summary: { create: 1, grant: 2 } });
  });

  it('creates a prehire account disabled, without a separate disable', () => {
    const p = planOf([want('e1', { enabled: false, reasons: ['joiner.prehire'] })]);
    expect(actions(p)).toEqual(['create']);
    expect(p.changes[0]?.after?.enabled).toBe(false);
  });

  it('updates only the attributes that differ, with before and after', () => {
    const p = planOf([want('e1', { attributes: { username: 'e1', email: 'e1@example.com', title: 'Lead' } })],
      [link('e1', { attributes: { username: 'e1', email: 'e1@example.com', title: 'Engineer' } })]);
    expect(p.changes).toEqual([expect.objectContaining({
      id: 'app:e1:update', action: 'update',
      before: { accountId: 'e1', attributes: { title: 'Engineer' } }, after: { accountId: 'e1', attributes: { title: 'Lead' } },
      reasons: ['active', 'mapping.changed'],
    })]);
  });

  it('enables, grants and revokes in executor order', () => {
    const p = planOf([want('e1', { entitlements: ['crm', 'users'], reasons: ['rehire'] })],
      [link('e1', { enabled: false, attributes: { username: 'e1', email: 'e1@example.com' }, entitlements: ['git', 'users'] })]);
    expect(p.changes.map((c) => c.id)).toEqual(['app:e1:enable', 'app:e1:grant:crm', 'app:e1:revoke:git']);
    expect(p.changes[2]).toMatchObject({ before: { accountId: 'e1', entitlement: 'git' }, after: null, reasons: ['rehire', 'role.removed'] });
  });

  it('a leaver: revokes everything then disables', () => {
    const p = planOf([want('e1', { enabled: false, reasons: ['leaver.terminated', 'leaver.revoke_all'] })],
      [link('e1', { attributes: { username: 'e1', email: 'e1@example.com' }, entitlements: ['users', 'git'] })]);
    expect(p.changes.map((c) => c.id)).toEqual(['app:e1:revoke:git', 'app:e1:revoke:users', 'app:e1:disable']);
    expect(p.changes[0]?.reasons).toEqual(['leaver.terminated', 'leaver.revoke_all']);
    expect(p.changes[2]).toMatchObject({ before: { enabled: true }, after: { enabled: false } });
  });

  it('deletes an account that should not exist, without a separate disable', () => {
    const linked = link('e1', { attributes: { username: 'e1' }, entitlements: ['users'] });
    const p = planOf([want('e1', { present: false, enabled: false, reasons: ['leaver.grace_expired'] })], [linked]);
    expect(p.changes).toEqual([{
      id: 'app:e1:delete', identity: 'e1', target: 'app', action: 'delete',
      before: { accountId: 'e1', enabled: true, attributes: { username: 'e1' } }, after: null, reasons: ['leaver.grace_expired'],
    }]);
  });

  it('plans nothing for an account that never existed and should not', () => {
    expect(planOf([want('e1', { present: false, enabled: false })]).changes).toEqual([]);
  });
});

describe('plan: normalisation and idempotence', () => {
  it('does not see trimmed, differently cased emails, numeric strings, reordered arrays or null/undefined as changes', () => {
    const desired = want('e1', { attributes: {
      username: 'e1', email: 'Jane.Doe@Example.com', mail: 'X@Y.COM', employeeNumber: 42, groups: ['b', 'a'],
      phone: null, nickname: undefined, active: true, manager: 'CN=Boss, OU=People,DC=example,DC=com',
    }, entitlements: ['CN=Eng,OU=Groups'] });
    const linked = link('e1', { attributes: {
      username: ' e1 ', email: 'jane.doe@example.com', mail: 'x@y.com', employeeNumber: '42', groups: ['a', 'b'],
      active: 'True', manager: 'cn=boss,ou=people,dc=example,dc=com', createdBy: 'target-default',
    }, entitlements: ['cn=eng,ou=groups'] });
    expect(planOf([desired], [linked]).changes).toEqual([]);
  });

  it('still sees real changes', () => {
    const p = planOf([want('e1', { attributes: { username: 'e1', email: 'e1@example.com', level: 3 } })],
      [link('e1', { attributes: { username: 'E1x', email: 'e1@example.com', level: '4' } })]);
    expect(p.changes[0]?.after?.attributes).toEqual({ username: 'e1', level: 3 });
  });

  it('planning the applied state yields no changes', () => {
    const desired = [
      want('e1', { entitlements: ['git', 'users'] }),
      want('e2', { enabled: false, attributes: { username: 'e2', email: 'new@example.com' } }),
      want('e3', { present: false, enabled: false }),
      want('e4', { entitlements: ['crm'] }),
    ];
    const links = [
      link('e2', { attributes: { username: 'e2', email: 'old@example.com' }, entitlements: ['git'] }),
      link('e3'),
      link('e4', { enabled: false, attributes: { username: 'e4', email: 'e4@example.com' }, entitlements: ['users'] }),
    ];
    const first = planOf(desired, links);
    expect(first.changes.length).toBeGreaterThan(5);
    expect(planOf(desired, applyPlan(links, first)).changes).toEqual([]);
  });
});
