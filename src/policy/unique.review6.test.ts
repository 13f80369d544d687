import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../core/types.js';
import { planOf } from '../planner/plan-fixtures.js';
import { compilePolicy } from './index.js';
import { desiredOne } from './policy-fixtures.js';
import { identity, link, NOW, person, testConfig, testTarget } from './test-config.js';
import { UniqueIndex } from './unique.js';

describe('review 6: unique values compare in one Unicode form', () => {
  const composed = 'jos\u00e9.garcia';
  const decomposed = 'jose\u0301.garcia';

  it('a name a directory holds decomposed is taken for the same name composed', () => {
    const index = new UniqueIndex(new Map([['app', ['username']]]), [link('x1', { attributes: { username: decomposed } })]);
    expect(index.taken('app', 'username', composed)).toBe(true);
    expect(index.pick('app', 'username', [composed], 'p1')).toBe(`${composed}2`);
  });

  it('two joiners in one plan whose names differ only in Unicode form get different names', () => {
    const index = new UniqueIndex(new Map([['app', ['username']]]));
    expect(index.pick('app', 'username', [decomposed], 'p1')).toBe(decomposed);
    expect(index.pick('app', 'username', [composed.toUpperCase()], 'p2')).toBe(`${composed.toUpperCase()}2`);
  });
});

describe('review 6: unique() never picks past a known length limit', () => {
  it('a candidate longer than sAMAccountName allows is cut to 20 characters', () => {
    const index = new UniqueIndex(new Map([['corp-ad', ['sAMAccountName']]]));
    const long = 'alexandria.montgomery-smithson';
    expect(index.pick('corp-ad', 'sAMAccountName', [long], 'p1')).toBe('alexandria.montgomer');
    expect(index.pick('corp-ad', 'sAMAccountName', [long], 'p2')).toBe('alexandria.montgome2');
    for (const name of ['alexandria.montgomer', 'alexandria.montgome2']) expect([...name].length).toBeLessThanOrEqual(20);
  });

  it('a shorter candidate that fits is still preferred to cutting the first', () => {
    const index = new UniqueIndex(new Map([['corp-ad', ['sAMAccountName']]]));
    index.claim('corp-ad', 'sAMAccountName', 'alexandria.montgomer', 'x1');
    expect(index.pick('corp-ad', 'sAMAccountName', ['alexandria.montgomery-smithson', 'amontgomery'], 'p1')).toBe('amontgomery');
  });
});

describe('review 6: a plain (not unique()) account key two people would share', () => {
  const config = testConfig({
    targets: [testTarget({ attributes: { username: 'identity.email.split("@")[0]', email: 'identity.email' } })],
  });

  it('the second joiner of one plan with the same key gets no create (it would be handed the first one\'s account)', () => {
    const policy = compilePolicy(config);
    const unique = UniqueIndex.fromAccounts([], config);
    const diagnostics: Diagnostic[] = [];
    const same = (id: string) => identity(id, { attributes: person(id, { email: 'jdoe@example.com' }) });
    const desired = ['e1', 'e2'].flatMap((id) => policy.desired(same(id), { now: NOW, linked: new Map(), unique, diagnostics }));
    const p = planOf(desired);
    expect(p.changes.filter((c) => c.action === 'create').map((c) => c.identity)).toEqual(['e1']);
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'unique.conflict', identity: 'e2', target: 'app', severity: 'error' })]);
    expect(diagnostics[0]?.message).toContain('jdoe');
  });

  it('a joiner whose key an existing account holds (in another case) gets no create', () => {
    const diagnostics: Diagnostic[] = [];
    const holder = link('x1', { attributes: { username: 'JDoe' } });
    const d = desiredOne(identity('e2', { attributes: person('e2', { email: 'jdoe@example.com' }) }), { all: [holder], diagnostics }, config);
    expect(planOf([d], [holder]).changes).toEqual([]);
    expect(diagnostics.map((x) => x.code)).toEqual(['unique.conflict']);
  });

  it('a linked account is not renamed onto a key another account holds; its own unchanged key is no conflict', () => {
    const holder = link('x1', { attributes: { username: 'jdoe', email: 'jdoe@example.com' } });
    const mine = link('e2', { attributes: { username: 'jane', email: 'jane@example.com' }, entitlements: ['engineers', 'git', 'users'] });
    const diagnostics: Diagnostic[] = [];
    const d = desiredOne(identity('e2', { attributes: person('e2', { email: 'jdoe@example.com' }) }), { links: [mine], all: [holder, mine], diagnostics }, config);
    expect(d.attributes).toEqual({ username: 'jane', email: 'jdoe@example.com' });
    // The other attributes still follow HR.
    expect(planOf([d], [mine]).changes.map((c) => [c.action, c.after?.attributes])).toEqual([['update', { email: 'jdoe@example.com' }]]);
    expect(diagnostics.map((x) => x.code)).toEqual(['unique.conflict']);
    const same: Diagnostic[] = [];
    desiredOne(identity('x1', { attributes: person('x1', { email: 'jdoe@example.com' }) }), { links: [holder], all: [holder, mine], diagnostics: same }, config);
    expect(same).toEqual([]);
  });
});

describe('review 6: a name made only of separators is no name', () => {
  it('a candidate with no letter or digit (a name ascii() dropped entirely) is skipped', () => {
    const config = testConfig({
      targets: [testTarget({ attributes: {
        username: 'unique([identity.givenName.ascii().lowerAscii() + "." + identity.familyName.ascii().lowerAscii(), "u" + identity.employeeId.lowerAscii()])',
        email: 'identity.email',
      } })],
    });
    const wang = identity('E7', { attributes: person('E7', { givenName: '伟', familyName: '王' }) });
    expect(desiredOne(wang, {}, config).attributes.username).toBe('ue7');
  });

  it('a new account whose key comes out empty (or not a string) is not created; a linked one keeps its key', () => {
    const config = testConfig({ targets: [testTarget({ attributes: { username: 'identity.login', email: 'identity.email' } })] });
    for (const login of ['', ' ', null]) {
      const diagnostics: Diagnostic[] = [];
      const d = desiredOne(identity('e1', { attributes: person('e1', { login }) }), { diagnostics }, config);
      expect(planOf([d]).changes).toEqual([]);
      expect(diagnostics.map((x) => [x.code, x.identity])).toEqual([['mapping.empty_key', 'e1']]);
    }
    const mine = link('e1', { attributes: { username: 'jdoe', email: 'e1@example.com' } });
    const diagnostics: Diagnostic[] = [];
    const d = desiredOne(identity('e1', { attributes: person('e1', { login: '' }) }), { links: [mine], diagnostics }, config);
    expect(d.attributes.username).toBe('jdoe');
    expect(planOf([d], [mine]).changes.filter((c) => c.action === 'update')).toEqual([]);
    expect(diagnostics.map((x) => x.code)).toEqual(['mapping.empty_key']);
  });
});
