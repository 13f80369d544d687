import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { appUsers, csv, person, project } from './helpers.js';

/**
 * Roster introduced into an application that already has people: reconcile
 * links what matches, reports the rest, and the first sync after it creates
 * no duplicates.
 */
describe('reconcile an existing application (sql target on SQLite)', () => {
  let engine: Engine;
  let paths: ReturnType<typeof project>;
  const clock = { now: new Date('2026-11-27T09:00:00Z') };

  beforeAll(async () => {
    paths = project(undefined);
    const config = paths.config;
    // Match by e-mail; orphans are disabled, behind the target's safety limits.
    const yaml = (await import('node:fs')).readFileSync(config, 'utf8')
      .replace('    executor: {', '    reconcile: { match: [{ account: email, identity: email }], orphans: disable }\n    executor: {');
    writeFileSync(config, yaml);
    mkdirSync(dirname(paths.appDb), { recursive: true });
    const db = new Database(paths.appDb);
    db.exec(`CREATE TABLE users (username TEXT PRIMARY KEY, email TEXT, department TEXT, active INTEGER);
             CREATE TABLE user_groups (username TEXT, group_name TEXT, PRIMARY KEY (username, group_name));
             INSERT INTO users VALUES ('alovelace', 'ADA.LOVELACE@example.com ', 'Engineering', 1);
             INSERT INTO users VALUES ('old.contractor', 'gone@example.com', 'Sales', 1);
             INSERT INTO users VALUES ('shared.mailbox', 'team@example.com', 'Sales', 1);
             INSERT INTO user_groups VALUES ('alovelace', 'engineers');`);
    db.close();
    writeFileSync(paths.hr, csv([
      person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace' }),
      person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper' }),
      person({ employeeId: 'E3', givenName: 'Team', familyName: 'One', email: 'team@example.com' }),
      person({ employeeId: 'E4', givenName: 'Team', familyName: 'Two', email: 'team@example.com' }),
    ]));
    engine = await openEngine(paths.config, { now: () => clock.now });
    await engine.readSource('hr', 'test');
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('links the match (normalised e-mail), reports the orphan and the dispute', async () => {
    const report = await engine.reconcile('app', { actor: 'test', apply: false });
    expect(report.accounts).toBe(3);
    expect(report.matched).toEqual([{ accountId: 'alovelace', identity: 'E1', rule: 'email = identity.email' }]);
    expect(report.orphans.map((o) => o.accountId)).toEqual(['old.contractor']);
    expect(report.disputed).toMatchObject([{ accountId: 'shared.mailbox', candidates: ['E3', 'E4'] }]);
    expect(report.plan.changes.map((c) => [c.action, c.before?.accountId])).toEqual([['disable', 'old.contractor']]);
    const link = await engine.store.accounts.get('app', 'E1');
    expect(link).toMatchObject({ accountId: 'alovelace', entitlements: ['engineers'], enabled: true });
  });

  it('the next sync keeps the linked account: no duplicate for Ada, a new one for Grace', async () => {
    const result = await engine.sync({ actor: 'test' });
    expect(result.result?.errors).toEqual([]);
    const users = appUsers(paths.appDb);
    expect([...users.keys()].filter((u) => u.includes('lovelace'))).toEqual(['alovelace']);
    // The e-mail differs only in case and a trailing space: equal after normalising, so no update churns it.
    expect(users.get('alovelace')).toMatchObject({ email: 'ADA.LOVELACE@example.com ', active: 1, groups: ['engineers', 'staff'] });
    expect(users.get('grace.hopper')).toMatchObject({ active: 1 });
    // The disputed people got accounts of their own; the shared mailbox was not touched.
    expect(users.get('shared.mailbox')).toMatchObject({ active: 1 });
  });

  it('applies the orphan action when asked, and only to orphans: the shared mailbox stays disputed', async () => {
    const report = await engine.reconcile('app', { actor: 'test', apply: true });
    // Team One and Team Two have accounts of their own now; the shared mailbox still matches both: disputed, never an orphan.
    expect(report.orphans.map((o) => o.accountId)).toEqual(['old.contractor']);
    expect(report.disputed).toMatchObject([{ accountId: 'shared.mailbox', candidates: ['E3', 'E4'] }]);
    expect(report.result?.applied).toBe(1);
    const users = appUsers(paths.appDb);
    expect(users.get('old.contractor')).toMatchObject({ active: 0 });
    expect(users.get('shared.mailbox')).toMatchObject({ active: 1 });
    expect(users.get('alovelace')).toMatchObject({ active: 1 });
  });

  it('a value cleared by hand in the application is seen by reconcile and written back by the next sync', async () => {
    const db = new Database(paths.appDb);
    db.prepare("UPDATE users SET department = NULL WHERE username = 'grace.hopper'").run();
    db.close();
    await engine.reconcile('app', { actor: 'test', apply: false });
    expect((await engine.store.accounts.get('app', 'E2'))?.attributes.department).toBeUndefined();
    const plan = await engine.plan();
    expect(plan.changes.map((c) => [c.identity, c.action, c.after?.attributes?.department])).toEqual([['E2', 'update', 'Engineering']]);
    await engine.apply(plan, { actor: 'test' });
    expect(appUsers(paths.appDb).get('grace.hopper')).toMatchObject({ department: 'Engineering' });
  });

  it('a linked account deleted outside Roster is noticed and restored by the next sync', async () => {
    const db = new Database(paths.appDb);
    db.prepare("DELETE FROM users WHERE username = 'grace.hopper'").run();
    db.prepare("DELETE FROM user_groups WHERE username = 'grace.hopper'").run();
    db.close();
    const report = await engine.reconcile('app', { actor: 'test', apply: false });
    expect(report.vanished).toEqual([{ accountId: 'grace.hopper', identity: 'E2' }]);
    await engine.sync({ actor: 'test' });
    expect(appUsers(paths.appDb).get('grace.hopper')).toMatchObject({ active: 1, groups: ['engineers', 'staff'] });
  });
});
