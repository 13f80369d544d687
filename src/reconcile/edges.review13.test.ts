import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { capturedIo } from '../cli/testing.js';
import { memoryTargets } from '../connectors/memory/index.js';
import type { Identity, LinkedAccount, TargetAccount } from '../core/types.js';
import { openEngine } from '../engine/index.js';
import { correlate, type MatchRule } from './correlate.js';
import { reconcileProject, type TestProject } from './test-project.js';

const identity = (id: string, attributes: Record<string, string>): Identity => ({
  id, sourceId: 'hr', attributes, state: 'active', version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
});
const account = (accountId: string, attributes: Record<string, unknown>): TargetAccount => ({ accountId, attributes, entitlements: [], enabled: true });
const link = (identityId: string, accountId: string): LinkedAccount => ({
  target: 'app', identityId, accountId, attributes: {}, entitlements: [], enabled: true, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
});
const rules: MatchRule[] = [
  { account: 'employeeNumber', identity: 'employeeId', normalise: 'exact' },
  { account: 'email', identity: 'email' },
];
const people = [
  identity('E1', { employeeId: 'E1', email: 'ada@example.com' }),
  identity('E2', { employeeId: 'E2', email: 'grace@example.com' }),
];

describe('correlate: edge cases (review13)', () => {
  it('an account read twice (a page boundary moving under writes) is one account: matched, not disputed with itself', () => {
    const { verdicts } = correlate({ identities: people, links: [], rules, accounts: [account('a1', { employeeNumber: 'E1' }), account('a1', { employeeNumber: 'E1', email: 'x' })] });
    expect(verdicts).toEqual([expect.objectContaining({ kind: 'matched', identityId: 'E1' })]);
  });

  it('rule order decides: employee id says E1, mail says E2: linked to E1 by the first rule, E2 left free', () => {
    const { verdicts } = correlate({ identities: people, links: [], rules, accounts: [account('a1', { employeeNumber: 'E1', email: 'GRACE@example.com' })] });
    expect(verdicts).toEqual([expect.objectContaining({ kind: 'matched', identityId: 'E1', rule: rules[0] })]);
  });

  it('two accounts matching one person by different rules: neither is linked silently, both disputed naming her', () => {
    const { verdicts } = correlate({ identities: people, links: [], rules, accounts: [account('a1', { employeeNumber: 'E1' }), account('a2', { email: ' Ada@Example.com' })] });
    expect(verdicts.map((v) => [v.account.accountId, v.kind, v.kind === 'disputed' ? v.candidates : []])).toEqual([['a1', 'disputed', ['E1']], ['a2', 'disputed', ['E1']]]);
  });

  it('a link outranks the rules (linked to E2 though its employee id says E1); another account naming E2 is disputed', () => {
    const { verdicts } = correlate({
      identities: people, links: [link('E2', 'a1')], rules,
      accounts: [account('a1', { employeeNumber: 'E1' }), account('a2', { employeeNumber: 'E2' })],
    });
    expect(verdicts.map((v) => [v.account.accountId, v.kind])).toEqual([['a1', 'linked'], ['a2', 'disputed']]);
    expect(verdicts[0]).toMatchObject({ identityId: 'E2' });
  });
});

/** `roster reconcile` in-process over a real engine and a seeded memory target. */
describe('roster reconcile: edge cases (review13)', () => {
  let p: TestProject | undefined;
  const run = async (...args: string[]) => {
    const captured = capturedIo({ cwd: p!.dir });
    const code = await runCli(['node', 'roster', 'reconcile', '--config', p!.config, ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };
  const readHr = async () => {
    const engine = await openEngine(p!.config);
    try {
      return await engine.readSource('hr', 'test');
    } finally {
      await engine.close();
    }
  };
  afterEach(() => {
    p?.remove();
    memoryTargets.clear();
  });

  it('an unknown --target (or --link target) is a usage error: exit 2, the configured targets named, no stack, nothing on stdout', async () => {
    p = reconcileProject('r13-known', [{ username: 'x' }], [{ id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }]);
    for (const args of [['--target', 'nope', '--json'], ['--target', 'nope'], ['--link', 'nope', 'E1', 'x']]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain("no target 'nope' in the configuration (its targets: r13-known)");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  const people3 = [
    { id: 'E1', givenName: 'Ada', familyName: 'Lovelace' }, { id: 'E2', givenName: 'Grace', familyName: 'Hopper' }, { id: 'E3', givenName: 'Alan', familyName: 'Turing' },
  ];
  const seed3 = [
    { username: 'ada', employeeNumber: 'E1' }, { username: 'grace', employeeNumber: 'E2' }, { username: 'alan', employeeNumber: 'E3' }, { username: 'old.one' },
  ];
  const header = 'employeeId,givenName,familyName,email';
  const good = ['E1,Ada,Lovelace,ada@example.com', 'E2,Grace,Hopper,grace@example.com', 'E3,Alan,Turing,alan@example.com'];

  it('orphans: delete never deletes the account of a person whose HR row the last read skipped: held, --force too, exit 1', async () => {
    p = reconcileProject('r13-rows', seed3, people3);
    // Grace's row has a column missing, Alan's has no key: neither is in the store.
    writeFileSync(join(p.dir, 'employees.csv'), [header, good[0], 'E2,Grace,Hopper', ',Alan,Turing,alan@example.com'].join('\n') + '\n');
    p.write('delete');
    expect((await readHr()).problems).toHaveLength(2);
    const json = await run('--target', 'r13-rows', '--json', '--yes', '--force');
    const report = JSON.parse(json.stdout) as { orphans: unknown[]; plan: { held: boolean; holds: { code: string; message: string }[] }; result?: unknown };
    expect(report.orphans).toHaveLength(3);
    expect(report.plan.held).toBe(true);
    expect(report.plan.holds).toEqual([expect.objectContaining({ code: 'reconcile.source_problems' })]);
    expect(report.plan.holds[0]!.message).toContain('hr line 3 (E2): expected 4 columns, found 3');
    expect(report.result).toBeUndefined();
    expect(json.code).toBe(1);
    const text = await run('--target', 'r13-rows', '--yes');
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('fix the HR rows and read the sources again');
    expect([...memoryTargets.get('r13-rows')!.accounts.keys()].sort()).toEqual(['ada', 'alan', 'grace', 'old.one']);

    // Rows fixed and read again: Grace and Alan are matched, and only the real orphan is deleted.
    writeFileSync(join(p.dir, 'employees.csv'), [header, ...good].join('\n') + '\n');
    expect((await readHr()).problems).toEqual([]);
    const fixed = await run('--target', 'r13-rows', '--json', '--yes');
    expect(JSON.parse(fixed.stdout).result).toMatchObject({ applied: 1, failed: 0 });
    expect(fixed.code).toBe(0);
    expect([...memoryTargets.get('r13-rows')!.accounts.keys()].sort()).toEqual(['ada', 'alan', 'grace']);
  });

  it('a skipped row of a person the store already has (a bad date on a later read) does not hold the orphan actions', async () => {
    p = reconcileProject('r13-known-row', seed3, people3);
    p.write('delete');
    await readHr();
    writeFileSync(join(p.dir, 'employees.csv'), [header, good[0], good[1], 'E3,Alan,Turing', ''].join('\n'));
    expect((await readHr()).problems).toEqual([expect.objectContaining({ key: 'E3' })]);
    const r = await run('--target', 'r13-known-row', '--json', '--yes');
    expect(JSON.parse(r.stdout).plan.holds).toEqual([]);
    expect(r.code).toBe(0);
    expect([...memoryTargets.get('r13-known-row')!.accounts.keys()].sort()).toEqual(['ada', 'alan', 'grace']);
  });

  it('orphans: delete past maxDeletes is held: says so, exits 1 with and without --json, deletes nothing; --force deletes', async () => {
    p = reconcileProject('r13-max', [{ username: 'ada', employeeNumber: 'E1' }, { username: 'gone.1' }, { username: 'gone.2' }], [people3[0]!]);
    writeFileSync(p.config, readFileSyncUtf8(p.config).replace('maxDeletes: 100%', 'maxDeletes: 1'));
    await readHr();
    writeFileSync(p.config, readFileSyncUtf8(p.config).replace('orphans: report', 'orphans: delete'));
    const json = await run('--target', 'r13-max', '--json', '--yes');
    expect(JSON.parse(json.stdout).plan).toMatchObject({ held: true, holds: [{ code: 'safety.max_deletes', count: 2, limit: 1 }] });
    expect(json.code).toBe(1);
    const text = await run('--target', 'r13-max', '--yes');
    expect(text.stderr).toContain('orphan actions are held by a safety limit');
    expect(text.code).toBe(1);
    expect(memoryTargets.get('r13-max')!.accounts.size).toBe(3);
    const forced = await run('--target', 'r13-max', '--yes', '--force', '--json');
    expect(JSON.parse(forced.stdout).result).toMatchObject({ applied: 2 });
    expect(forced.code).toBe(0);
    expect([...memoryTargets.get('r13-max')!.accounts.keys()]).toEqual(['ada']);
  });
  it('--json over every target: a target that fails to read still leaves the reports of those done (and acted on) on stdout', async () => {
    p = reconcileProject('r13-first', [{ username: 'ada', employeeNumber: 'E1' }, { username: 'gone.1' }], [people3[0]!]);
    await readHr();
    const second = `  - id: r13-broken
    type: memory
    connection: { key: username, seed: [{ attributes: { username: x } }], failures: { count: 1000, operations: [list] } }
    accountKey: username
    attributes: { username: identity.employeeId }
    safety: { minAccounts: 0 }
    reconcile: { match: [{ account: username, identity: employeeId }] }
`;
    writeFileSync(p.config, readFileSyncUtf8(p.config).replace('orphans: report', 'orphans: delete') + second);
    const r = await run('--json', '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error:');
    const done = JSON.parse(r.stdout) as { target: string; result?: { applied: number } }[];
    expect(done).toEqual([expect.objectContaining({ target: 'r13-first', result: expect.objectContaining({ applied: 1 }) })]);
    expect([...memoryTargets.get('r13-first')!.accounts.keys()]).toEqual(['ada']);
  });
});

function readFileSyncUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}

describe('correlate: a linked account the read missed but the target still has (review13)', () => {
  it('with foundById, its person keeps the account: another account naming her is disputed, and the link is not vanished', () => {
    const result = correlate({
      identities: people, links: [link('E1', 'a1')], rules, accounts: [account('a2', { employeeNumber: 'E1' })], foundById: new Set(['a1']),
    });
    expect(result.verdicts).toEqual([expect.objectContaining({ kind: 'disputed', candidates: ['E1'] })]);
    expect(result.vanished).toEqual([]);
  });
});
