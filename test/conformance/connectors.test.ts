import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { silentLogger } from '../../src/core/log.js';
import { memoryTargets } from '../../src/connectors/memory/index.js';
import { createConnector } from '../../src/connectors/registry.js';
import { connectorConformance } from './connector-suite.js';
import { freshSchema } from '../support/pg.js';
import { startRosterScim } from '../support/roster-scim.js';
import { startScimmy } from '../support/scimmy.js';

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

/**
 * The scim connector against a SCIM service provider started by `start`
 * (baseUrl + bearer token): another server is one more line.
 */
function scimConformance(name: string, start: () => Promise<{ baseUrl: string; token: string; stop(): Promise<void> }>, pagingAccounts?: number): void {
  connectorConformance(name, async () => {
    const server = await start();
    const connection = {
      baseUrl: server.baseUrl,
      allowInsecureHttp: true,
      auth: { type: 'bearer', token: server.token },
      mapping: { username: 'userName', email: 'emails[type eq "work"].value', displayName: 'displayName' },
      groups: { createMissing: true },
      pageSize: 100,
    };
    const connector = createConnector({ id: 'saas', type: 'scim', connection }, { targetId: 'saas', baseDir: '.', log: silentLogger });
    return { connector, accountKey: 'username', pagingAccounts, cleanup: () => server.stop() };
  });
}

// SCIMMY spends ~1 ms of this process's CPU per resource it serializes (see test/support/scimmy.ts):
// a slow target by the suite's measure. 500 accounts over pages of 100 (the connection's pageSize);
// test/e2e/scim-client.test.ts pages through 2,500.
scimConformance('scim against scimmy', () => startScimmy(), 500);

// Roster's own SCIM server (src/api/scim) on both stores: filters (and the `groups` of a list page)
// are SQL, translated per dialect. The connector asks for pages of 100, so 1,000 accounts are ten
// pages, with entitlements picked on either side of page boundaries (the suite's picks).
scimConformance('scim against roster', () => startRosterScim(), 1000);
scimConformance('scim against roster on PostgreSQL', async () => {
  const schema = await freshSchema('roster_scim_conformance');
  const server = await startRosterScim({ storeUrl: schema.url });
  return { ...server, stop: async () => {
    await server.stop();
    await schema.drop();
  } };
}, 1000);
