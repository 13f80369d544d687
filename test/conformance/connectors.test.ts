import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { silentLogger } from '../../src/core/log.js';
import { memoryTargets } from '../../src/connectors/memory/index.js';
import { createConnector } from '../../src/connectors/registry.js';
import { connectorConformance } from './connector-suite.js';

const PG_URL = 'postgres://root@127.0.0.1:5432/test';

const sqlConnection = (url: string) => ({
  url,
  createTables: true,
  users: {
    table: 'users',
    key: 'username',
    columns: { username: 'username', email: 'email', displayName: 'display_name' },
    enabled: { column: 'active' },
  },
  memberships: { table: 'user_groups', user: 'username', group: 'group_name' },
});

connectorConformance('memory', async () => {
  const targetId = `conformance-memory-${process.pid}`;
  const connector = createConnector({ id: targetId, type: 'memory', connection: {} }, { targetId, baseDir: '.', log: silentLogger });
  return { connector, accountKey: 'username', cleanup: async () => void memoryTargets.delete(targetId) };
});

connectorConformance('sql on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'roster-sql-'));
  const connector = createConnector({ id: 'app', type: 'sql', connection: sqlConnection('sqlite:app.db') }, { targetId: 'app', baseDir: dir, log: silentLogger });
  return { connector, accountKey: 'username', cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

connectorConformance('sql on PostgreSQL', async () => {
  const schema = `roster_conformance_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect(); // fails the suite (not skips it) when PostgreSQL is unreachable
  await admin.end();
  const connector = createConnector(
    { id: 'app', type: 'sql', connection: sqlConnection(`${PG_URL}?schema=${schema}`) },
    { targetId: 'app', baseDir: '.', log: silentLogger },
  );
  return {
    connector,
    accountKey: 'username',
    cleanup: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
});
