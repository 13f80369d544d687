import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../connectors/memory/index.js';
import { openEngine } from '../engine/index.js';
import type { Engine } from '../engine/types.js';
import { PG_URL, freshSchema } from '../../test/support/pg.js';

const DAY = 86_400_000;
const START = Date.parse('2026-01-01T09:00:00Z');
const HEADER = 'employeeId,givenName,familyName,department,title,status';
const WIDE = 'identity.department != ""';
const NO_SALES = 'identity.department != "" && identity.department != "Sales"';
const ENGINEERING = 'identity.department == "Engineering"';

/**
 * Engine-level, on real SQLite and PostgreSQL stores: HR file → store → memory
 * target, time driven by an injected clock, roster.yaml rewritten between runs
 * on the same store. The delete grace of an account out of scope runs from the
 * moment Roster recorded it out of scope (LinkedAccount.outOfScopeSince).
 */
describe.each(['sqlite', 'postgres'] as const)('review 8: the grace of an account out of scope runs from when it left scope (%s)', (dialect) => {
  const clock = { now: new Date(START) };
  const at = (days: number) => { clock.now = new Date(START + days * DAY); };
  let dir = '';
  let store = '';
  let schema = '';
  let drop: (() => Promise<void>) | undefined;
  let engine: Engine | undefined;

  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    await drop?.();
    drop = undefined;
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    dir = '';
    memoryTargets.clear();
  });

  const yaml = (scope: string) => `
store: ${store}
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: app
    type: memory
    scope: ${JSON.stringify(scope)}
    accountKey: username
    attributes: { username: identity.employeeId.lowerAscii() }
    leaver: { disable: immediately, delete: after 30d }
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0, window: none }
`;
  const rows = (...people: string[]) => [HEADER, 'E0,Filler,Person,Engineering,Clerk,active', ...people].join('\n') + '\n';

  /** Open (or reopen, on the same store) the engine with this scope. */
  async function open(scope: string): Promise<void> {
    await engine?.close();
    engine = undefined;
    if (dir === '') {
      dir = mkdtempSync(join(tmpdir(), 'roster-scope-since-'));
      writeFileSync(join(dir, 'hr.csv'), rows());
      if (dialect === 'sqlite') store = 'sqlite:./roster.db';
      else {
        const fresh = await freshSchema('roster_scope_since');
        ({ url: store, schema } = fresh);
        drop = fresh.drop;
      }
    }
    writeFileSync(join(dir, 'roster.yaml'), yaml(scope));
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock.now });
  }

  /** Read the HR file and apply the plan: E1's changes. */
  async function sync(hr: string): Promise<string[]> {
    writeFileSync(join(dir, 'hr.csv'), hr);
    const result = await engine!.sync({ actor: 'test' });
    expect(result.plan.held).toBe(false);
    return result.plan.changes.filter((c) => c.identity === 'E1').map((c) => c.action);
  }
  const account = () => memoryTargets.get('app')?.snapshot('e1');
  const link = async () => (await engine!.store.accounts.get('app', 'E1'));

  /** SQL on the store (the engine closed): the upgrade tests write the store as an older Roster left it. */
  async function run(statements: readonly string[]): Promise<void> {
    if (dialect === 'sqlite') {
      const db = new BetterSqlite3(join(dir, 'roster.db'));
      try {
        for (const statement of statements) db.exec(statement);
      } finally {
        db.close();
      }
      return;
    }
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`set search_path to "${schema}"`);
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  }

  it('scope narrowed in roster.yaml for an already disabled account: deleted 30 days after the narrowing, not at once', async () => {
    at(0);
    await open(WIDE);
    await sync(rows('E1,Ada,Lovelace,Sales,Engineer,active'));
    at(1);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'))).toEqual(['disable']);
    at(50);
    await open(NO_SALES);
    // Nothing to do on the target: the plan only records that the account left scope.
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'))).toEqual(['update']);
    expect(account()).toMatchObject({ enabled: false });
    expect((await link())?.outOfScopeSince).toBe(new Date(START + 50 * DAY).toISOString());
    at(79);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'))).toEqual([]);
    expect(account()).toBeDefined();
    at(81);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'))).toEqual(['delete']);
    expect(account()).toBeUndefined();
  });

  it('a later change to the HR record does not start the grace again', async () => {
    at(0);
    await open(ENGINEERING);
    await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,active'));
    at(10);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,active'))).toEqual(['disable']);
    at(25);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Manager,active'))).toEqual([]);
    expect((await link())?.outOfScopeSince).toBe(new Date(START + 10 * DAY).toISOString());
    at(41);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Manager,active'))).toEqual(['delete']);
    expect(account()).toBeUndefined();
  });

  it('back in scope clears the record: leaving scope again starts a new grace', async () => {
    at(0);
    await open(ENGINEERING);
    await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,active'));
    at(1);
    await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,leave'));
    at(10);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'))).toEqual(['update']);
    expect((await link())?.outOfScopeSince).toBe(new Date(START + 10 * DAY).toISOString());
    at(20);
    // Back in scope, still on leave: nothing to do on the target, and the record is cleared.
    expect(await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,leave'))).toEqual(['update']);
    expect((await link())?.outOfScopeSince).toBeUndefined();
    at(45);
    await open('identity.department == "Research"');
    expect(await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,leave'))).toEqual(['update']);
    at(60);
    expect(await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,leave'))).toEqual([]);
    expect(account()).toMatchObject({ enabled: false });
    at(76);
    expect(await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,leave'))).toEqual(['delete']);
  });

  it('an upgraded store (links without the record): an account already out of scope is deleted no sooner than 30 days after the upgrade', async () => {
    at(0);
    await open(ENGINEERING);
    await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,active'));
    at(1);
    await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,leave'));
    at(5);
    await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'));
    await engine!.close();
    engine = undefined;
    // The store as a Roster from before the record left it: no column, no migration from 0008 on recorded (Kysely refuses a
    // gap; the later ones' indexes may stay, as they are made only if missing).
    await run(['alter table roster_accounts drop column out_of_scope_since', "delete from kysely_migration where name >= '0008'"]);
    at(20);
    await open(ENGINEERING);
    expect((await link())?.outOfScopeSince).toBeUndefined();
    // The first plan after the upgrade records it; the approximation from the record's last change (day 5) would delete on day 35.
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'))).toEqual(['update']);
    at(36);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'))).toEqual([]);
    at(49);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'))).toEqual([]);
    expect(account()).toMatchObject({ enabled: false });
    at(51);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,leave'))).toEqual(['delete']);
  });

  it('an upgraded store: an account in use that leaves scope after the upgrade is disabled, then deleted 30 days after', async () => {
    at(0);
    await open(ENGINEERING);
    await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,active'));
    await engine!.close();
    engine = undefined;
    await run(['alter table roster_accounts drop column out_of_scope_since', "delete from kysely_migration where name >= '0008'"]);
    at(3);
    await open(ENGINEERING);
    expect(await sync(rows('E1,Ada,Lovelace,Engineering,Engineer,active'))).toEqual([]);
    at(10);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,active'))).toEqual(['disable']);
    at(39);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,active'))).toEqual([]);
    at(41);
    expect(await sync(rows('E1,Ada,Lovelace,Sales,Engineer,active'))).toEqual(['delete']);
  });
});
