import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isRosterError, RosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { createConnector } from '../registry.js';
import type { Connector } from '../types.js';
import { sqlConnectionSchema } from './config.js';
import { toTargetError } from './errors.js';

const base = {
  url: 'sqlite:app.db',
  createTables: true,
  users: { table: 'users', key: 'username', columns: { username: 'username', email: 'email' }, enabled: { column: 'active' } },
  memberships: { table: 'user_groups', user: 'username', group: 'group_name' },
};

let dir: string | undefined;
let connector: Connector | undefined;
afterEach(async () => {
  await connector?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  connector = undefined;
  dir = undefined;
});

function open(connection: Record<string, unknown>): { connector: Connector; file: string } {
  dir = mkdtempSync(join(tmpdir(), 'roster-sqlconn-'));
  connector = createConnector({ id: 'app', type: 'sql', connection }, { targetId: 'app', baseDir: dir, log: silentLogger });
  return { connector, file: join(dir, 'app.db') };
}

describe('sql connection schema', () => {
  it('accepts the documented shape', () => {
    expect(sqlConnectionSchema.safeParse(base).success).toBe(true);
  });
  it('refuses unknown keys and identifiers that are not plain names', () => {
    expect(sqlConnectionSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(sqlConnectionSchema.safeParse({ ...base, users: { ...base.users, table: 'users; drop table x' } }).success).toBe(false);
    expect(sqlConnectionSchema.safeParse({ ...base, users: { ...base.users, columns: { email: '1email' } } }).success).toBe(false);
    expect(sqlConnectionSchema.safeParse({ ...base, url: 'mysql://x' }).success).toBe(false);
  });
  it('createConnector reports the key path of a bad connection block', () => {
    expect(() => createConnector({ id: 'app', type: 'sql', connection: { ...base, users: { ...base.users, key: 'a-b' } } },
      { targetId: 'app', baseDir: '.', log: silentLogger })).toThrow(/connection\.users\.key/);
  });
});

describe('sql connector on SQLite', () => {
  it('stores an injection-looking value verbatim, as a bound parameter, relative to baseDir', async () => {
    const { connector, file } = open(base);
    const evil = "x'); DROP TABLE users;--";
    await connector.create({ attributes: { username: 'mallory', email: evil }, enabled: true });
    const raw = new BetterSqlite3(file, { readonly: true });
    const row = raw.prepare('select email, active from users where username = ?').get('mallory') as { email: string; active: number };
    raw.close();
    expect(row).toEqual({ email: evil, active: 1 });
  });

  it('writes custom enabled values and reads them back', async () => {
    const { connector, file } = open({ ...base, users: { ...base.users, enabled: { column: 'status', true: 'Y', false: 'N' } } });
    await connector.create({ attributes: { username: 'ann', email: 'a@x' }, enabled: false });
    expect((await connector.get('ann'))?.enabled).toBe(false);
    await connector.setEnabled('ann', true);
    const raw = new BetterSqlite3(file, { readonly: true });
    expect(raw.prepare('select status from users').get()).toEqual({ status: 'Y' });
    raw.close();
    expect((await connector.get('ann'))?.enabled).toBe(true);
  });

  it('refuses an attribute without a column, with target.rejected', async () => {
    const { connector } = open(base);
    const error = await connector.create({ attributes: { username: 'bo', phone: '1' }, enabled: true }).catch((e: unknown) => e);
    expect(isRosterError(error, 'target.rejected')).toBe(true);
    expect((error as Error).message).toMatch(/phone/);
  });

  it('renaming the key moves the memberships along', async () => {
    const { connector } = open(base);
    await connector.create({ attributes: { username: 'old', email: 'o@x' }, enabled: true });
    await connector.grant('old', 'staff');
    await connector.update('old', { username: 'new' });
    expect(await connector.get('old')).toBeUndefined();
    expect((await connector.get('new'))?.entitlements).toEqual(['staff']);
  });

  it('a missing table is reported as target.rejected by check()', async () => {
    const { connector } = open({ ...base, createTables: false });
    const error = await connector.check().catch((e: unknown) => e);
    expect(isRosterError(error, 'target.rejected')).toBe(true);
    expect((error as RosterError).retryable).toBe(false);
  });
});

describe('sql errors', () => {
  it('SQLITE_BUSY and connection refusals are retryable target.unavailable', () => {
    const busy = toTargetError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }), 'app', 'create');
    expect(busy.code).toBe('target.unavailable');
    expect(busy.retryable).toBe(true);
    const refused = toTargetError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'app', 'get');
    expect(refused.retryable).toBe(true);
  });
  it('constraint violations are target.rejected, not retryable', () => {
    const unique = toTargetError(Object.assign(new Error('duplicate key'), { code: '23505' }), 'app', 'create');
    expect(unique.code).toBe('target.rejected');
    expect(unique.retryable).toBe(false);
    expect(unique.message).toMatch(/constraint/);
  });
  it('an unreachable PostgreSQL is retryable and the message holds no password', async () => {
    const connection = { ...base, url: 'postgres://root:s3cret-pw@127.0.0.1:1/test' };
    const c = createConnector({ id: 'app', type: 'sql', connection }, { targetId: 'app', baseDir: '.', log: silentLogger });
    connector = c;
    const error = await c.check().catch((e: unknown) => e);
    expect(isRosterError(error, 'target.unavailable')).toBe(true);
    expect((error as RosterError).retryable).toBe(true);
    expect((error as Error).message).not.toContain('s3cret-pw');
  });
});
