/**
 * HR-push latency: the time from sending one record to
 * `POST /api/v1/sources/hr/records` until the change is applied in the
 * target (the endpoint answers after it is applied; each answer must report
 * the change applied, nothing failed or pending, and is checked against the
 * target itself).
 *   npm run bench -- latency --events 200 [--people 1000] [--warmup 5] [--target sql|ldap|ad] [--event termination|joiner] [--json]
 * `--target sql` (default): the demo configuration, a `sql` target on SQLite;
 * checked in its users table. `--target ldap`: a private slapd, entries
 * uid={uid} under ou=people, leavers moved to ou=disabled (the `move`
 * strategy); checked by finding the entry by employeeNumber and its DN.
 * `--target ad`: a Samba AD DC (fixed ports: one at a time on a machine;
 * slow, keep --people and --events small); checked by the entry's
 * userAccountControl (ACCOUNTDISABLE). The `--people` are loaded first
 * (an untimed sync through the engine), then the source is served as a push
 * source.
 * `--event termination` (default): a `terminate` of an active person until
 * the account is disabled. `--event joiner`: a new hire (an upsert of a
 * person not in the HR file, active from today) until the account exists
 * (enabled) in the target.
 * The last line is {"events","p50_ms","p99_ms","max_ms",...,"target","event"}.
 */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { buildServer } from '../src/api/server.js';
import { createToken } from '../src/api/tokens.js';
import { activePeople, generatePeople, type Person } from '../src/demo/index.js';
import { openEngine } from '../src/engine/index.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { latencyBenchConfig, latencyPushConfig } from './lib/latency-config.js';
import {
  directoryProbe, directoryServer, latencyDirectoryConfig, sqlProbe, type AccountProbe, type AccountState, type LatencyTarget,
} from './lib/latency-directory.js';
import type { FreshServer } from './lib/ldap-servers.js';
import { ms, percentile, timed } from './lib/stats.js';
import { createWorkspace, demoUsernameExpression, readDemoConfig } from './lib/workspace.js';

const args = readArgs(
  { events: 200, people: 1000, warmup: 5, seed: 42 },
  { target: ['sql', 'ldap', 'ad'], event: ['termination', 'joiner'] },
);
const { events, people: count, warmup, seed } = args.values;
const kind = args.choices.target as LatencyTarget;
const joiner = args.choices.event === 'joiner';
const today = new Date().toISOString().slice(0, 10); // the server stamps terminations with the real clock
const pushes = events + warmup;

// Terminations: the last active people of the HR file. Joiners: people generated after it (not in it), hired today.
const generated = generatePeople({ count: count + (joiner ? pushes : 0), seed, today });
const people = generated.slice(0, count);
const chosen: Person[] = joiner
  ? generated.slice(count).map((p) => ({ ...p, status: 'active', employmentType: 'employee', startDate: today, endDate: '' }))
  : activePeople(people, today).slice(-pushes);
if (chosen.length < pushes) {
  throw new Error(`only ${chosen.length} active people among ${count}: raise --people or lower --events`);
}
/** Before the push the account is `before`; the answer must leave it `after`. */
const [before, after]: [AccountState, AccountState] = joiner ? ['absent', 'enabled'] : ['enabled', 'disabled'];
const missed = joiner ? 'not_created' : 'not_disabled';

const directory: FreshServer | undefined = kind === 'sql' ? undefined : await directoryServer(kind);
try {
  const config = directory === undefined
    ? latencyBenchConfig(await readDemoConfig())
    : latencyDirectoryConfig(directory.server, await demoUsernameExpression());
  const workspace = await createWorkspace('latency', people, config);
  try {
    // Seeded from the HR file, then served with the same source as a push source (only those take pushes).
    const seeding = await openEngine(workspace.configPath);
    const sync = await timed(() => seeding.sync({ actor: 'bench', force: true }));
    await seeding.close();
    const failedAtSync = sync.value.result?.failed ?? 0;
    if (failedAtSync > 0) throw new Error(`the initial sync failed ${failedAtSync} changes: ${JSON.stringify(sync.value.result?.errors.slice(0, 3))}`);
    await writeFile(workspace.configPath, stringify(latencyPushConfig(config, pushes), { lineWidth: 0 }));
    const engine = await openEngine(workspace.configPath);
    const app = await buildServer(engine, { logger: false });
    let probe: AccountProbe | undefined;
    try {
      progress(args, `initial sync into ${kind}: ${sync.value.plan.changes.length} changes in ${sync.ms} ms`);
      const { token } = await createToken(engine.store, 'bench-latency', ['push:hr']);
      const address = await app.listen({ host: '127.0.0.1', port: 0 });
      probe = directory === undefined ? sqlProbe(engine, workspace.dir) : await directoryProbe(directory.server);

      const samples: number[] = [];
      let notApplied = 0;
      for (const [index, person] of chosen.entries()) {
        const was = await probe.state(person.employeeId);
        if (was !== before) throw new Error(`${person.employeeId} is ${was} in ${kind} before its push, expected ${before}`);
        const record = joiner ? { ...person } : { _action: 'terminate', employeeId: person.employeeId };
        const started = performance.now();
        const response = await fetch(`${address}/api/v1/sources/hr/records`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ records: [record] }),
        });
        const body = await response.text();
        const elapsed = performance.now() - started;
        if (!response.ok) throw new Error(`push for ${person.employeeId} answered ${response.status}: ${body}`);
        const answer = JSON.parse(body) as { applied: number; failed: number; pending: number };
        if (!(answer.applied > 0 && answer.failed === 0 && answer.pending === 0)) {
          throw new Error(`push for ${person.employeeId} came back not applied: ${body}`);
        }
        if (await probe.state(person.employeeId) !== after) notApplied += 1;
        if (index >= warmup) samples.push(elapsed);
      }
      progress(args, `${samples.length} ${joiner ? 'joiners' : 'terminations'} measured in ${kind}, ${notApplied} accounts not ${joiner ? 'created' : 'disabled'}`);
      printResult({
        events: samples.length,
        p50_ms: ms(percentile(samples, 50)),
        p99_ms: ms(percentile(samples, 99)),
        max_ms: ms(Math.max(...samples)),
        mean_ms: ms(samples.reduce((sum, s) => sum + s, 0) / samples.length),
        [missed]: notApplied,
        people: count,
        target: kind,
        event: args.choices.event,
      });
      if (notApplied > 0) process.exitCode = 1;
    } finally {
      await probe?.close();
      await app.close();
      await engine.close();
    }
  } finally {
    await workspace.remove();
  }
} finally {
  await directory?.stop();
}
