/**
 * The SCIM server under load: N users in the store, then ~10 s each of
 * concurrent clients doing `GET /Users?filter=userName eq "…"`, `POST /Users`
 * and `PATCH /Users/{id}` against `roster serve`'s HTTP server.
 *   npm run bench -- scim-server --users 100000 [--seconds 10] [--concurrency 16] [--json]
 * The server runs in this process on the configured store (SQLite file by
 * default; `--store postgres` uses ROSTER_BENCH_PG or the local test database);
 * the clients run in a child process with their own event loop. The SCIM server
 * has no inbound source here: this measures the protocol server, not the
 * pipeline a configured source adds to each write.
 * CPU per request is reported per phase for the server (this process, over
 * the phase) and for the load generator: on a busy shared machine the rps
 * move with the other load, the CPU a request costs much less.
 * The last line is {"users","get_filter_rps","post_rps","patch_rps",…,"get_filter_server_cpu_us",…}.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildServer } from '../src/api/server.js';
import { createToken } from '../src/api/tokens.js';
import { generatePeople, type Person } from '../src/demo/index.js';
import { openEngine } from '../src/engine/index.js';
import { createScimRegistry, prepareResource } from '../src/scim/resource/index.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { ownCpuMs } from './lib/cpu.js';
import type { LoadJob, PhaseResult, PhaseStart } from './lib/http-load.js';
import { timed } from './lib/stats.js';
import { createWorkspace } from './lib/workspace.js';

const args = readArgs({ users: 100_000, seconds: 10, concurrency: 16, seed: 42 }, { store: ['sqlite', 'postgres'] });
const { users: count, seconds, concurrency, seed } = args.values;
const here = dirname(fileURLToPath(import.meta.url));

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const userName = (person: Person, index: number): string => `${person.email.split('@')[0]}.${index}@example.com`;

function scimUser(person: Person, index: number): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName: userName(person, index),
    externalId: person.employeeId,
    name: { givenName: person.givenName, familyName: person.familyName },
    displayName: `${person.givenName} ${person.familyName}`,
    title: person.title,
    active: person.status !== 'terminated',
    emails: [{ value: userName(person, index), type: 'work', primary: true }],
    [ENTERPRISE]: { employeeNumber: person.employeeId, department: person.department, costCenter: person.costCenter },
  };
}

const pgUrl = process.env.ROSTER_BENCH_PG ?? 'postgres://root@127.0.0.1:5432/test';
const pgSchema = `bench_scim_${process.pid}`;
const storeUrl = args.choices.store === 'postgres' ? `${pgUrl}?schema=${pgSchema}` : 'sqlite:./roster.db';
const workspace = await createWorkspace('scim-server', [], {
  store: storeUrl,
  server: { host: '127.0.0.1', port: 0 },
  sources: [{ id: 'hr', type: 'csv', path: './employees.csv', key: 'employeeId' }],
  targets: [],
  scim: { server: { enabled: true, rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } } },
});
const engine = await openEngine(workspace.configPath);
try {
  const registry = createScimRegistry();
  const userType = registry.resourceType('User')!;
  const people = generatePeople({ count: Math.min(count, 50_000), seed, today: '2026-11-27' });
  const names: string[] = [];
  const load = await timed(async () => {
    const chunk = 10_000;
    for (let start = 0; start < count; start += chunk) {
      const writes = [];
      for (let i = start; i < Math.min(count, start + chunk); i += 1) {
        const prepared = prepareResource(userType, scimUser(people[i % people.length]!, i), {});
        writes.push({ resourceType: 'User', id: `u${String(i).padStart(7, '0')}`, data: prepared.data, uniqueName: prepared.uniqueName });
        names.push(prepared.uniqueName);
      }
      await engine.store.scim.createMany(writes);
    }
  });
  progress(args, `loaded ${count} users in ${load.ms} ms`);
  const ids = names.map((_, i) => `u${String(i).padStart(7, '0')}`);

  const app = await buildServer(engine, { logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { token } = await createToken(engine.store, 'bench-scim', ['scim']);
  const job: LoadJob = {
    url,
    token,
    seconds,
    concurrency,
    phases: [
      { name: 'get_filter', kind: 'get-filter', userNames: names },
      { name: 'post', kind: 'post', prefix: `bench-${process.pid}-` },
      { name: 'patch', kind: 'patch', ids },
    ],
  };
  const results = await runLoad(job);
  await app.close();
  const by = (name: string): MeasuredPhase => results.find((r) => r.name === name)!;
  for (const r of results) {
    progress(args, `${r.name}: ${r.rps}/s ok, ${r.errors} errors, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms ${JSON.stringify(r.statuses)}; `
      + `CPU per request: server ${r.server_cpu_us_per_req} µs, load generator ${r.client_cpu_us_per_req} µs`);
  }
  printResult({
    users: count,
    store: args.choices.store,
    seconds,
    concurrency,
    load_ms: load.ms,
    get_filter_rps: by('get_filter').rps,
    post_rps: by('post').rps,
    patch_rps: by('patch').rps,
    get_filter_p99_ms: by('get_filter').p99_ms,
    post_p99_ms: by('post').p99_ms,
    patch_p99_ms: by('patch').p99_ms,
    get_filter_server_cpu_us: by('get_filter').server_cpu_us_per_req,
    post_server_cpu_us: by('post').server_cpu_us_per_req,
    patch_server_cpu_us: by('patch').server_cpu_us_per_req,
    get_filter_client_cpu_us: by('get_filter').client_cpu_us_per_req,
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  });
} finally {
  await engine.close();
  await workspace.remove();
  if (args.choices.store === 'postgres') await dropSchema(pgUrl, pgSchema);
}

/** The PostgreSQL schema of this run (its 100,000 rows) goes with the workspace. The name is ours: letters, digits, `_`. */
async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

interface MeasuredPhase extends PhaseResult {
  /** This process's CPU (server, store, GC) over the phase, per request. */
  readonly server_cpu_us_per_req: number;
}

/**
 * Runs the clients in a child process and collects one result per phase,
 * reading this process's CPU as each phase starts and ends.
 */
function runLoad(job: LoadJob): Promise<MeasuredPhase[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'lib', 'http-load.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const results: MeasuredPhase[] = [];
    let phaseCpuMs = ownCpuMs();
    let pending = '';
    const onLine = (line: string): void => {
      const message = JSON.parse(line) as PhaseResult | PhaseStart;
      if ('start' in message) {
        phaseCpuMs = ownCpuMs();
        return;
      }
      const serverUs = (ownCpuMs() - phaseCpuMs) * 1000;
      results.push({ ...message, server_cpu_us_per_req: Math.round(serverUs / Math.max(1, message.requests)) });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
        const line = pending.slice(0, end).trim();
        pending = pending.slice(end + 1);
        if (line !== '') onLine(line);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(results);
    });
    child.stdin.end(JSON.stringify(job));
  });
}
