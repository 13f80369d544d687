import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema, PG_URL } from '../../../test/support/pg.js';
import { silentLogger } from '../../core/log.js';
import { isRosterError } from '../../core/errors.js';
import { createConnector } from '../registry.js';
import type { Connector } from '../types.js';

/**
 * The connector's pg.Pool had no 'error' listener: when PostgreSQL closed an
 * idle pooled connection (a restart, pg_terminate_backend, a dropped link),
 * the pool re-emitted the error with nobody listening and Node ended the
 * whole process (`roster serve` with it). Now the dead client is dropped and
 * the next operation opens a new connection.
 */
let connector: Connector | undefined;
let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await connector?.close();
  connector = undefined;
  await drop?.();
  drop = undefined;
});

describe('sql connector on PostgreSQL: an idle connection killed by the server (review8)', () => {
  it('neither crashes the process nor fails the next operation', async () => {
    const schema = await freshSchema('review8_sqlpool');
    drop = schema.drop;
    const app = `review8_idle_${process.pid}`;
    const connection = {
      url: `${schema.url}&application_name=${app}`,
      createTables: true,
      users: { table: 'users', key: 'username', columns: { username: 'username', displayName: 'display_name' }, enabled: { column: 'active' } },
      memberships: { table: 'user_groups', user: 'username', group: 'group_name' },
    };
    connector = createConnector({ id: 'app', type: 'sql', connection }, { targetId: 'app', baseDir: '.', log: silentLogger });
    await connector.create({ attributes: { username: 'zoë', displayName: 'Zoë Łukasz 李' }, enabled: true });

    const uncaught: unknown[] = [];
    const record = (error: unknown): void => {
      uncaught.push(error);
    };
    process.on('uncaughtException', record);
    try {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]);
        expect(killed.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      process.off('uncaughtException', record);
    }
    expect(uncaught).toEqual([]);
    expect((await connector.get('zoë'))?.attributes).toEqual({ username: 'zoë', displayName: 'Zoë Łukasz 李' });
  });
});

/**
 * PostgreSQL's data exceptions quote the refused value (`invalid input syntax
 * for type integer: "…"`), and the message went into the job's error, the log
 * and the audit: a secret attribute (an initial PIN) or personal data with it.
 */
describe('sql connector on PostgreSQL: a value the column refuses (review8)', () => {
  it('is target.rejected, names the problem, and does not repeat the value', async () => {
    const schema = await freshSchema('review8_sqlval');
    drop = schema.drop;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA "${schema.schema}"`);
      await admin.query(`CREATE TABLE "${schema.schema}".users (username text PRIMARY KEY, pin integer, born date)`);
    } finally {
      await admin.end();
    }
    const connection = { url: schema.url, users: { table: 'users', key: 'username', columns: { username: 'username', pin: 'pin', born: 'born' } } };
    connector = createConnector({ id: 'app', type: 'sql', connection }, { targetId: 'app', baseDir: '.', log: silentLogger });
    const pin = await connector.create({ attributes: { username: 'ann', pin: 's3cret-pin-4711' }, enabled: true }).catch((e: unknown) => e);
    expect(isRosterError(pin, 'target.rejected')).toBe(true);
    expect((pin as Error).message).toContain('invalid input syntax for type integer');
    expect((pin as Error).message).not.toContain('s3cret-pin-4711');
    const born = await connector.create({ attributes: { username: 'ann', born: '1990-02-31' }, enabled: true }).catch((e: unknown) => e);
    expect(isRosterError(born, 'target.rejected')).toBe(true);
    expect((born as Error).message).not.toContain('1990-02-31');
  });
});
