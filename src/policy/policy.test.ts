import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../core/types.js';
import { compilePolicy, UniqueIndex } from './index.js';
import { desiredOne } from './policy-fixtures.js';
import { identity, link, NOW, person, testConfig, testTarget } from './test-config.js';

describe('policy: roles', () => {
  it('a mover gets the new department roles and loses the old ones', () => {
    expect(desiredOne(identity('e1')).entitlements).toEqual(['engineers', 'git', 'users']);
    const moved = identity('e1', { attributes: person('e1', { department: 'Sales' }) });
    expect(desiredOne(moved).entitlements).toEqual(['crm', 'users']);
  });

  it('an identity out of every role gets no entitlements', () => {
    const config = testConfig({ roles: [{ id: 'eng', when: 'identity.department == "Engineering"', grants: { app: ['git'] } }] });
    expect(desiredOne(identity('e1', { attributes: person('e1', { department: 'Legal' }) }), {}, config).entitlements).toEqual([]);
  });

  it('only grants what a role grants in that target', () => {
    const config = testConfig({
      targets: [testTarget(), testTarget({ id: 'ldap' })],
      roles: [{ id: 'eng', when: 'true', grants: { ldap: ['cn=eng'] } }],
    });
    const policy = compilePolicy(config);
    const [app, ldap] = policy.desired(identity('e1'), { now: NOW, linked: new Map(), unique: UniqueIndex.fromAccounts([], config) });
    expect(app?.entitlements).toEqual([]);
    expect(ldap?.entitlements).toEqual(['cn=eng']);
  });

  it('uses the manager in expressions', () => {
    const config = testConfig({ targets: [testTarget({ attributes: { username: 'identity.employeeId', managerEmail: 'default(manager.email, "")' } })] });
    const manager = identity('m1');
    expect(desiredOne(identity('e1'), { manager }, config).attributes.managerEmail).toBe('m1@example.com');
    expect(desiredOne(identity('e1'), {}, config).attributes.managerEmail).toBe('');
  });
});

describe('policy: unique names', () => {
  it('two new people with the same name in one plan never collide', () => {
    const config = testConfig();
    const policy = compilePolicy(config);
    const unique = UniqueIndex.fromAccounts([], config);
    const names = ['e1', 'e2', 'e3'].map((id) =>
      policy.desired(identity(id), { now: NOW, linked: new Map(), unique })[0]?.attributes.username);
    expect(names).toEqual(['jane.doe', 'jdoe', 'jane.doe2']);
  });

  it('avoids names held by existing accounts, case-insensitively', () => {
    const other = link('x9', { attributes: { username: 'Jane.Doe' } });
    const d = desiredOne(identity('e1'), { all: [other] });
    expect(d.attributes.username).toBe('jdoe');
    expect(d.explanations.find((e) => e.subject === 'attribute:username')?.detail).toContain('the first candidate nobody holds');
  });

  it('keeps the account name on a rename', () => {
    const renamed = identity('e1', { attributes: person('e1', { familyName: 'Smith' }) });
    const mine = link('e1', { attributes: { username: 'jane.doe' } });
    const d = desiredOne(renamed, { links: [mine] });
    expect(d.attributes.username).toBe('jane.doe');
    expect(d.attributes).toMatchObject({ email: 'e1@example.com' });
    expect(d.explanations.find((e) => e.subject === 'attribute:username')?.detail).toContain('existing value is kept');
  });

  it('numbers the first candidate when every candidate is taken', () => {
    const all = [link('x1', { attributes: { username: 'jane.doe' } }), link('x2', { attributes: { username: 'jdoe' } }), link('x3', { attributes: { username: 'jane.doe2' } })];
    expect(desiredOne(identity('e1'), { all }).attributes.username).toBe('jane.doe3');
  });
});

describe('policy: failing expressions', () => {
  const config = testConfig({ targets: [testTarget({ attributes: { username: 'identity.employeeId', phone: 'identity.phone' } })] });

  it('records a diagnostic and leaves the linked account unchanged', () => {
    const diagnostics: Diagnostic[] = [];
    const linked = link('e1', { attributes: { username: 'e1', phone: '123' }, entitlements: ['old'] });
    const d = desiredOne(identity('e1'), { links: [linked], diagnostics }, config);
    expect(d).toMatchObject({ present: true, enabled: true, attributes: linked.attributes, entitlements: ['old'], reasons: ['expression.failed'] });
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'expression.failed', identity: 'e1', target: 'app', severity: 'error' })]);
    expect(diagnostics[0]?.message).toContain('phone');
  });

  it('creates nothing for a new identity whose expression fails', () => {
    const diagnostics: Diagnostic[] = [];
    expect(desiredOne(identity('e1'), { diagnostics }, config).present).toBe(false);
    expect(diagnostics).toHaveLength(1);
  });

  it('a failing role condition leaves the account unchanged in targets where it grants', () => {
    const roles = [{ id: 'cc', when: 'identity.costCenter == "42"', grants: { app: ['finance'] } }];
    const diagnostics: Diagnostic[] = [];
    const d = desiredOne(identity('e1'), { links: [link('e1', { entitlements: ['x'] })], diagnostics }, testConfig({ roles }));
    expect(d.entitlements).toEqual(['x']);
    expect(diagnostics[0]?.message).toContain('role cc');
  });
});

describe('policy: explanations', () => {
  it('explains the account, the state, each attribute and each entitlement by the rule that gave it', () => {
    const config = testConfig({
      roles: [
        { id: 'everyone', description: 'Every employee', when: 'true', grants: { app: ['users'] } },
        { id: 'engineering', when: 'identity.department == "Engineering"', grants: { app: ['git', 'users'] } },
      ],
      targets: [testTarget({ scope: 'identity.employmentType == "employee"' })],
    });
    const d = desiredOne(identity('e1'), {}, config);
    const by = (subject: string) => d.explanations.filter((e) => e.subject === subject);
    expect(by('account')).toEqual([{ subject: 'account', rule: 'scope:app', detail: 'in scope: `identity.employmentType == "employee"` is true' }]);
    expect(by('state')[0]).toMatchObject({ rule: 'lifecycle:active', detail: 'active since 2024-01-15: account enabled' });
    expect(by('attribute:email')).toEqual([{ subject: 'attribute:email', rule: 'mapping:app.email', detail: '"e1@example.com" from `identity.email`' }]);
    expect(by('entitlement:users').map((e) => e.rule)).toEqual(['role:everyone', 'role:engineering']);
    expect(by('entitlement:users')[0]?.detail).toBe('birthright role everyone (Every employee): granted to everyone in scope');
    expect(by('entitlement:git')[0]?.detail).toBe('role engineering: `identity.department == "Engineering"` is true');
  });

  it('explains why there is no account', () => {
    const d = desiredOne(identity('e1', { state: 'rescinded' }));
    expect(d.explanations.find((e) => e.subject === 'account')).toMatchObject({ rule: 'lifecycle:rescinded' });
  });
});

describe('policy: the plan path without explanations', () => {
  it('gives the same desired accounts with no explanations when explain is false', () => {
    const config = testConfig();
    const policy = compilePolicy(config);
    const people = [identity('e1'), identity('e2', { state: 'prehire', startAt: '2026-03-12T00:00:00.000Z' }), identity('e3', { state: 'terminated', endAt: '2026-03-01T00:00:00.000Z' })];
    const run = (explain: boolean) => {
      const unique = UniqueIndex.fromAccounts([], config);
      return people.map((p) => policy.desired(p, { now: NOW, linked: new Map([['app', link(p.id, { attributes: { username: p.id } })]]), unique, explain })[0]);
    };
    const withExplanations = run(true);
    const without = run(false);
    expect(without.map((d) => d?.explanations)).toEqual([[], [], []]);
    expect(without.map((d) => ({ ...d, explanations: [] }))).toEqual(withExplanations.map((d) => ({ ...d, explanations: [] })));
    expect(withExplanations[0]?.explanations.length).toBeGreaterThan(3);
  });
});
