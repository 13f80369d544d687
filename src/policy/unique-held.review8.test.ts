import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { memoryTargets } from '../connectors/memory/index.js';
import type { Diagnostic, LinkedAccount, Plan } from '../core/types.js';
import { planOf } from '../planner/plan-fixtures.js';
import { compilePolicy } from './index.js';
import { identity, link, NOW, person, testConfig, testTarget } from './test-config.js';
import { UniqueIndex } from './unique.js';

/**
 * A joiner whose create is not planned (a later mapping failed, its plain
 * account key is someone else's, it came out empty) claims no name: the
 * name unique() chose for it goes to the next joiner of the same plan, as it
 * would had the held joiner not been there. The held joiner is named when its
 * create is planned.
 */
describe('review 8: a create that is not planned reserves no unique name', () => {
  const config = testConfig({
    targets: [testTarget({
      attributes: { username: 'unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii()])', login: 'identity.login', phone: 'identity.phone' },
      accountKey: 'login',
    })],
  });
  const plan = (people: ReturnType<typeof identity>[], links: LinkedAccount[] = []) => {
    const policy = compilePolicy(config);
    const unique = UniqueIndex.fromAccounts(links, config);
    const diagnostics: Diagnostic[] = [];
    const desired = people.flatMap((p) => policy.desired(p, { now: NOW, linked: new Map(links.filter((l) => l.identityId === p.id).map((l) => [l.target, l])), unique, diagnostics }));
    return { plan: planOf(desired, links), diagnostics };
  };
  const names = (p: ReturnType<typeof planOf>) => Object.fromEntries(p.changes.filter((c) => c.action === 'create').map((c) => [c.identity, c.after?.attributes?.username]));
  const ok = (id: string) => identity(id, { attributes: person(id, { login: id, phone: '1' }) });

  it('a joiner held by a failing expression (no phone) does not push the next Jane Doe to jane.doe2', () => {
    const { plan: p, diagnostics } = plan([identity('e1', { attributes: person('e1', { login: 'e1' }) }), ok('e2')]);
    expect(names(p)).toEqual({ e2: 'jane.doe' });
    expect(diagnostics.map((d) => [d.code, d.identity])).toEqual([['expression.failed', 'e1']]);
  });

  it('a joiner held because its plain account key is taken does not keep the name either', () => {
    const holder = link('x9', { accountId: 'e1', attributes: { login: 'e1', username: 'someone' } });
    const { plan: p, diagnostics } = plan([ok('e1'), ok('e2')], [holder]);
    expect(names(p)).toEqual({ e2: 'jane.doe' });
    expect(diagnostics.map((d) => [d.code, d.identity])).toEqual([['unique.conflict', 'e1']]);
  });

  it('a numbered name released by a held joiner is the next one given, with no gap', () => {
    const jane = link('x9', { accountId: 'x9', attributes: { login: 'x9', username: 'jane.doe' } });
    const { plan: p } = plan([identity('e1', { attributes: person('e1', { login: 'e1' }) }), ok('e2'), ok('e3')], [jane]);
    expect(names(p)).toEqual({ e2: 'jane.doe2', e3: 'jane.doe3' });
  });

  it('a joiner whose create is planned still takes its name first (identities in id order)', () => {
    const { plan: p } = plan([ok('e1'), ok('e2')]);
    expect(names(p)).toEqual({ e1: 'jane.doe', e2: 'jane.doe2' });
  });
});

describe('review 8: a plan held by a safety limit reserves no name beyond itself (engine, SQLite store, memory target)', () => {
  const dir = useEngineDir('unique-held');
  const header = 'employeeId,givenName,familyName,status';
  const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId, maxMissing: 100% }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: 'unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii()])' }
    safety: { maxDeletes: 100%, maxDisables: 0, maxRevokes: 100%, minAccounts: 0, window: none }
`;
  const created = (p: Plan) => Object.fromEntries(p.changes.filter((c) => c.action === 'create').map((c) => [c.identity, c.after?.attributes?.username]));

  it('the held joiner keeps its name while it is in the plans, and a later joiner gets it once the held one is gone', async () => {
    const engine = await dir.open(yaml, { files: { 'hr.csv': `${header}\nE5,Ada,Lovelace,active\n` } });
    expect((await engine.sync({ actor: 't' })).plan.held).toBe(false);
    // E5 leaves (a disable, over maxDisables: 0): the plan with the joiner E1 is held.
    dir.write('hr.csv', `${header}\nE1,Jane,Doe,active\nE5,Ada,Lovelace,terminated\n`);
    const held = await engine.sync({ actor: 't' });
    expect(held.plan.held).toBe(true);
    expect(created(held.plan)).toEqual({ E1: 'jane.doe' });
    // Still held, another Jane Doe: E1 (first by id) keeps jane.doe in the new plan.
    dir.write('hr.csv', `${header}\nE1,Jane,Doe,active\nE2,Jane,Doe,active\nE5,Ada,Lovelace,terminated\n`);
    const still = await engine.sync({ actor: 't' });
    expect(still.plan.held).toBe(true);
    expect(created(still.plan)).toEqual({ E1: 'jane.doe', E2: 'jane.doe2' });
    // E1's hire is withdrawn before anything was applied; E5 stays: E2 gets jane.doe, nothing of the held plans lingers.
    dir.write('hr.csv', `${header}\nE2,Jane,Doe,active\nE5,Ada,Lovelace,active\n`);
    const next = await engine.sync({ actor: 't' });
    expect(next.plan.holds).toEqual([]);
    expect(created(next.plan)).toEqual({ E2: 'jane.doe' });
    expect(memoryTargets.get('app')?.snapshot('jane.doe')).toBeDefined();
  });
});

describe('review 8: UniqueIndex begin / rollback / commit', () => {
  it('rollback undoes queued claims, claims applied since the values were built, picks and numbering', () => {
    const index = new UniqueIndex(new Map([['app', ['username', 'mail']]]), [link('x1', { attributes: { username: 'jdoe', mail: 'm@x' } })]);
    index.begin();
    index.claim('app', 'mail', 'a@x', 'e1'); // queued: mail not built yet
    expect(index.pick('app', 'username', ['jdoe'], 'e1')).toBe('jdoe2');
    expect(index.taken('app', 'mail', 'a@x')).toBe(true); // builds mail, applying the queued claim
    index.rollback();
    expect(index.taken('app', 'mail', 'a@x')).toBe(false);
    expect(index.taken('app', 'username', 'jdoe2')).toBe(false);
    expect(index.taken('app', 'mail', 'm@x')).toBe(true);
    expect(index.pick('app', 'username', ['jdoe'], 'e2')).toBe('jdoe2');
  });

  it('rollback of a claim still queued takes it off the queue; commit keeps what was claimed', () => {
    const index = new UniqueIndex(new Map([['app', ['mail']]]));
    index.begin();
    index.claim('app', 'mail', 'a@x', 'e1');
    index.rollback();
    expect(index.taken('app', 'mail', 'a@x')).toBe(false);
    index.begin();
    index.claim('app', 'mail', 'b@x', 'e2');
    index.commit();
    index.rollback(); // nothing recorded any more
    expect(index.taken('app', 'mail', 'b@x')).toBe(true);
  });

  it('rollback never releases a value someone else held first', () => {
    const index = new UniqueIndex(new Map([['app', ['mail']]]));
    index.claim('app', 'mail', 'a@x', 'e1');
    index.begin();
    index.claim('app', 'mail', 'a@x', 'e2');
    index.rollback();
    expect(index.taken('app', 'mail', 'a@x', 'e2')).toBe(true);
  });
});
