import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema, PG_URL } from '../../../test/support/pg.js';
import { isRosterError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import { createConnector } from '../registry.js';
import type { Connector } from '../types.js';

/**
 * A database that bounds how long a statement may run or wait for a lock
 * (statement_timeout, lock_timeout: set by many DBAs on the role) cancels the
 * statement with SQLSTATE 57014 or 55P03. The row was busy, not wrong: the
 * change must be retried later, not failed for good.
 */
let connector: Connector | undefined;
let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await connector?.close();
  connector = undefined;
  await drop?.();
  drop = undefined;
});

describe.each([
  { name: 'statement_timeout', option: 'statement_timeout', code: '57014' },
  { name: 'lock_timeout', option: 'lock_timeout', code: '55P03' },
])('sql connector on PostgreSQL: a write cancelled by $name', ({ option }) => {
  it('is a retryable target error, and the retry succeeds once the row is free', async () => {
    const schema = await freshSchema('roster_sql_timeout');
    drop = schema.drop;
    const connection = {
      url: `${schema.url}&options=${encodeURIComponent(`-c ${option}=200`)}`,
      createTables: true,
      users: { table: 'users', key: 'username', columns: { username: 'username', displayName: 'display_name' } },
    };
    connector = createConnector({ id: 'app', type: 'sql', connection }, { targetId: 'app', baseDir: '.', log: silentLogger });
    await connector.create({ attributes: { username: 'zoe', displayName: 'Zoe' }, enabled: true });

    // Another session holds the row.
    const other = new pg.Client({ connectionString: PG_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT * FROM "${schema.schema}".users WHERE username = 'zoe' FOR UPDATE`);
      const error = await connector.update('zoe', { displayName: 'Zoë' }).then(() => undefined, (e: unknown) => e);
      expect(isRosterError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'target.unavailable', retryable: true });
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
    await connector.update('zoe', { displayName: 'Zoë' });
    expect((await connector.get('zoe'))?.attributes.displayName).toBe('Zoë');
  });
});
