import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../src/engine/index.js';
import { csv, person, project } from './helpers.js';

/** The application's password column, read straight from its SQLite file. */
function passwords(appDb: string): Map<string, string | null> {
  const db = new Database(appDb, { readonly: true });
  try {
    const rows = db.prepare('SELECT username, initial_password FROM users ORDER BY username').all() as { username: string; initial_password: string | null }[];
    return new Map(rows.map((r) => [r.username, r.initial_password]));
  } finally {
    db.close();
  }
}

/**
 * A secret attribute (`secrets: [password]`): the application gets the value,
 * and Roster keeps it nowhere in clear: not in the stored plan, the queue,
 * the link, the audit log or what `explain` shows. A plan after it sees no
 * change (fingerprints compare); a new value is written again; reconcile
 * never takes the value the application holds.
 */
describe('secret attributes (sql target on SQLite)', () => {
  let engine: Engine;
  let paths: ReturnType<typeof project>;
  const secretOf = (id: string, round = 1) => `Init-${id}-${round}-S3cret!`;
  const everything = async (): Promise<string> => {
    const plans = await engine.store.plans.list();
    const full = await Promise.all(plans.map((p) => engine.store.plans.get(p.id)));
    const jobs = await Promise.all(plans.map((p) => engine.store.queue.listByPlan(p.id)));
    const audit = await engine.store.audit.list({ limit: 10_000 });
    const links = await engine.store.accounts.listAll();
    const explained = await engine.explain('E1');
    return JSON.stringify({ full, jobs, audit, links, explained });
  };

  beforeAll(async () => {
    paths = project(undefined);
    const yaml = readFileSync(paths.config, 'utf8')
      .replace('columns: { username: username, email: email, department: department }', 'columns: { username: username, email: email, department: department, password: initial_password }')
      .replace('      department: identity.department\n', '      department: identity.department\n      password: \'"Init-" + identity.employeeId + "-" + identity.title + "-S3cret!"\'\n    secrets: [password]\n');
    writeFileSync(paths.config, yaml);
    writeFileSync(paths.hr, csv([
      person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace', title: '1' }),
      person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper', title: '1' }),
    ]));
    engine = await openEngine(paths.config, { now: () => new Date('2026-11-27T09:00:00Z') });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('writes the value to the application and keeps only fingerprints', async () => {
    const first = await engine.sync({ actor: 'test' });
    expect(first.result?.errors).toEqual([]);
    expect(passwords(paths.appDb)).toEqual(new Map([['ada.lovelace', secretOf('E1')], ['grace.hopper', secretOf('E2')]]));
    const create = first.plan.changes.find((c) => c.identity === 'E1' && c.action === 'create');
    expect(create?.after?.attributes?.password).toMatch(/^secret:v1:[A-Za-z0-9_-]{43}$/);
    expect(create?.after?.sealed?.password).toMatch(/^v1\./);
    const link = await engine.store.accounts.get('app', 'E1');
    expect(link?.attributes.password).toBe(create?.after?.attributes?.password);
    const stored = await everything();
    expect(stored).not.toContain('S3cret');
    expect(stored).toContain('secret:v1:');
    // The audit entry of the create records the fingerprint, never the sealed value.
    const applied = await engine.store.audit.list({ kind: 'change.applied', limit: 100 });
    expect(JSON.stringify(applied)).not.toContain('"sealed"');
  });

  it('a plan after it has nothing to do; a new value is written again', async () => {
    expect((await engine.plan()).changes).toEqual([]);
    writeFileSync(paths.hr, csv([
      person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace', title: '2' }),
      person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper', title: '1' }),
    ]));
    const second = await engine.sync({ actor: 'test' });
    expect(second.plan.changes.map((c) => `${c.identity}:${c.action}:${Object.keys(c.after?.attributes ?? {}).join(',')}`)).toEqual(['E1:update:password']);
    expect(passwords(paths.appDb).get('ada.lovelace')).toBe(secretOf('E1', 2));
    expect(await everything()).not.toContain('S3cret');
  });

  it('reconcile takes nothing from the password column, and adopts an account without resetting its password', async () => {
    const db = new Database(paths.appDb);
    db.prepare("UPDATE users SET initial_password = 'changed-by-the-user' WHERE username = 'grace.hopper'").run();
    db.prepare("INSERT INTO users (username, email, department, initial_password, active) VALUES ('katherine.johnson', 'katherine.johnson@example.com', 'Engineering', 'her-own-password', 1)").run();
    db.close();
    writeFileSync(paths.hr, csv([
      person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace', title: '2' }),
      person({ employeeId: 'E2', givenName: 'Grace', familyName: 'Hopper', title: '1' }),
      person({ employeeId: 'E3', givenName: 'Katherine', familyName: 'Johnson', title: '1' }),
    ]));
    await engine.readSource('hr', 'test');
    const yaml = readFileSync(paths.config, 'utf8').replace('    secrets: [password]\n', '    secrets: [password]\n    reconcile: { match: [{ account: email, identity: email }] }\n');
    writeFileSync(paths.config, yaml);
    await engine.close();
    engine = await openEngine(paths.config, { now: () => new Date('2026-11-27T09:00:00Z') });
    const report = await engine.reconcile('app', { actor: 'test', apply: false });
    expect(report.matched.map((m) => m.identity)).toEqual(['E3']);
    const stored = await everything();
    expect(stored).not.toContain('changed-by-the-user');
    expect(stored).not.toContain('her-own-password');
    // Grace's link keeps its fingerprint (no change planned); Katherine's adopted account keeps her password.
    const plan = await engine.plan();
    expect(plan.changes.map((c) => `${c.identity}:${c.action}`)).not.toContain('E2:update');
    expect(plan.changes.filter((c) => c.identity === 'E3' && c.action === 'update').map((c) => Object.keys(c.after?.attributes ?? {}))).not.toContainEqual(['password']);
    await engine.apply(plan, { actor: 'test' });
    expect(passwords(paths.appDb).get('katherine.johnson')).toBe('her-own-password');
    expect(passwords(paths.appDb).get('grace.hopper')).toBe('changed-by-the-user');
  });
});

/**
 * A secret whose value is empty when the account is made (the HR field comes
 * later) is written when it arrives: the link records that Roster wrote it
 * empty (null), unlike an adopted account's link, which holds nothing for it
 * and whose secret is never overwritten.
 */
describe('secret attributes: empty at create, written when it arrives', () => {
  let engine: Engine;
  let paths: ReturnType<typeof project>;

  beforeAll(async () => {
    paths = project(undefined);
    const yaml = readFileSync(paths.config, 'utf8')
      .replace('columns: { username: username, email: email, department: department }', 'columns: { username: username, email: email, department: department, password: initial_password }')
      .replace('      department: identity.department\n', '      department: identity.department\n      password: \'identity.title == "" ? null : dyn("Init-" + identity.title + "-S3cret!")\'\n    secrets: [password]\n');
    writeFileSync(paths.config, yaml);
    writeFileSync(paths.hr, csv([person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace', title: '' })]));
    engine = await openEngine(paths.config, { now: () => new Date('2026-11-27T09:00:00Z') });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('creates without it, then one update writes it; a reconcile in between keeps the record of the empty write', async () => {
    const first = await engine.sync({ actor: 'test' });
    expect(first.result?.errors).toEqual([]);
    expect(passwords(paths.appDb).get('ada.lovelace')).toBeNull();
    expect((await engine.store.accounts.get('app', 'E1'))?.attributes).toMatchObject({ password: null });
    expect((await engine.plan()).changes).toEqual([]);
    await engine.reconcile('app', { actor: 'test', apply: true });
    expect((await engine.store.accounts.get('app', 'E1'))?.attributes).toMatchObject({ password: null });

    writeFileSync(paths.hr, csv([person({ employeeId: 'E1', givenName: 'Ada', familyName: 'Lovelace', title: 'T7' })]));
    const second = await engine.sync({ actor: 'test' });
    expect(second.result?.errors).toEqual([]);
    expect(second.plan.changes.map((c) => `${c.action}:${Object.keys(c.after?.attributes ?? {}).join(',')}`)).toEqual(['update:password']);
    expect(passwords(paths.appDb).get('ada.lovelace')).toBe('Init-T7-S3cret!');
    expect((await engine.store.accounts.get('app', 'E1'))?.attributes.password).toMatch(/^secret:v1:/);
    expect((await engine.plan()).changes).toEqual([]);
  });
});
