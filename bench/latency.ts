/**
 * HR-push termination latency: the time from sending a termination to
 * `POST /api/v1/sources/hr/records` until the person's account is disabled in
 * the SQL target (the endpoint answers after the change is applied; each
 * answer is checked against the target's users table).
 *   npm run bench -- latency --events 200 [--people 1000] [--warmup 5] [--json]
 * The last line is {"events","p50_ms","p99_ms","max_ms",...}.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { buildServer } from '../src/api/server.js';
import { createToken } from '../src/api/tokens.js';
import { activePeople, generatePeople } from '../src/demo/index.js';
import { openEngine } from '../src/engine/index.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { latencyBenchConfig, latencyPushConfig } from './lib/latency-config.js';
import { ms, percentile, timed } from './lib/stats.js';
import { createWorkspace, readDemoConfig } from './lib/workspace.js';

const args = readArgs({ events: 200, people: 1000, warmup: 5, seed: 42 });
const { events, people: count, warmup, seed } = args.values;
const today = new Date().toISOString().slice(0, 10); // the server stamps terminations with the real clock

const people = generatePeople({ count, seed, today });
const chosen = activePeople(people, today).slice(-(events + warmup));
if (chosen.length < events + warmup) {
  throw new Error(`only ${chosen.length} active people among ${count}: raise --people or lower --events`);
}
const config = latencyBenchConfig(await readDemoConfig());
const workspace = await createWorkspace('latency', people, config);
// Seeded from the HR file, then served with the same source as a push source (only those take pushes).
const seeding = await openEngine(workspace.configPath);
const sync = await timed(() => seeding.sync({ actor: 'bench', force: true }));
await seeding.close();
await writeFile(workspace.configPath, stringify(latencyPushConfig(config, events + warmup), { lineWidth: 0 }));
const engine = await openEngine(workspace.configPath);
const app = await buildServer(engine, { logger: false });
try {
  progress(args, `initial sync: ${sync.value.plan.changes.length} changes in ${sync.ms} ms`);
  const { token } = await createToken(engine.store, 'bench-latency', ['push:hr']);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const target = engine.config.targets[0]!;
  const users = new Database(join(workspace.dir, 'app.db'), { readonly: true });
  const isActive = users.prepare('SELECT active FROM users WHERE username = ?');

  const samples: number[] = [];
  let notDisabled = 0;
  for (const [index, person] of chosen.entries()) {
    const link = await engine.store.accounts.get(target.id, person.employeeId);
    if (!link) throw new Error(`${person.employeeId} has no account in ${target.id} after the initial sync`);
    const started = performance.now();
    const response = await fetch(`${address}/api/v1/sources/hr/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: [{ _action: 'terminate', employeeId: person.employeeId }] }),
    });
    const body = await response.text();
    const elapsed = performance.now() - started;
    if (!response.ok) throw new Error(`push for ${person.employeeId} answered ${response.status}: ${body}`);
    const row = isActive.get(link.accountId) as { active: unknown } | undefined;
    if (!row || Number(row.active) !== 0) notDisabled += 1;
    if (index >= warmup) samples.push(elapsed);
  }
  users.close();
  progress(args, `${samples.length} terminations measured, ${notDisabled} accounts not disabled`);
  printResult({
    events: samples.length,
    p50_ms: ms(percentile(samples, 50)),
    p99_ms: ms(percentile(samples, 99)),
    max_ms: ms(Math.max(...samples)),
    mean_ms: ms(samples.reduce((sum, s) => sum + s, 0) / samples.length),
    not_disabled: notDisabled,
    people: count,
  });
  if (notDisabled > 0) process.exitCode = 1;
} finally {
  await app.close();
  await engine.close();
  await workspace.remove();
}
