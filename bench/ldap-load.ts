/**
 * Bulk load into a directory: Roster against raw ldapadd of the same entries.
 *   npm run bench -- ldap-load --identities 10000 --connections 4 [--inflight N] [--target ldap|ad] [--sync nosync|durable] [--json]
 * `--sync durable` runs both slapds flushing every write to disk, as a
 * production directory does (the default, like the tests, runs with olcDbNoSync).
 * Roster side: a fresh slapd (or Samba AD DC), N new people through the
 * engine (ingest + plan + apply over a pool of C connections; the executor
 * keeps --inflight operations under way, default 8 per connection for ldap
 * and 1 for ad, which the pool pipelines over its connections). Raw side:
 * the entries Roster created, exported with ldapsearch, loaded by C parallel
 * ldapadd processes (one synchronous connection each) into another fresh
 * server. For AD the raw LDIF also carries userAccountControl 512,
 * unicodePwd and pwdLastSet 0 in the one add (Roster adds disabled with the
 * password, then enables).
 * Besides wall time, each Roster phase reports the CPU this process used in
 * it, and the directory server's CPU over the Roster run (slapd only): on a
 * shared machine those move much less than wall clock.
 * The last line is {"identities","connections","roster_per_s","raw_per_s","ratio",...}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePeople } from '../src/demo/index.js';
import { openEngine } from '../src/engine/index.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { ldapLoadConfig } from './lib/ldap-config.js';
import { exportEntries, loadInParallel, splitLdif, withAdAccountFields } from './lib/ldap-raw.js';
import { freshServer } from './lib/ldap-servers.js';
import { measured, processCpuMs } from './lib/cpu.js';
import { timed } from './lib/stats.js';
import { createWorkspace, demoUsernameExpression } from './lib/workspace.js';

const TODAY = '2026-11-27';
const NOW = new Date(`${TODAY}T12:00:00.000Z`);

const args = readArgs({ identities: 0, connections: 4, inflight: 0, seed: 42 }, { target: ['ldap', 'ad'], sync: ['nosync', 'durable'] });
const durable = args.choices.sync === 'durable';
const kind = args.choices.target as 'ldap' | 'ad';
const identities = args.values.identities > 0 ? args.values.identities : kind === 'ad' ? 500 : 10_000;
const connections = Math.max(1, args.values.connections);
// OpenLDAP takes pipelined adds in parallel; Samba serialises its writes and slows down with more at once (measured: 16/s at 32, 28/s at 4).
const inFlight = args.values.inflight > 0 ? args.values.inflight : kind === 'ad' ? connections : connections * 8;

// Everyone active and started: N creates.
const people = generatePeople({ count: identities, seed: args.values.seed, today: TODAY })
  .map((p) => ({ ...p, status: 'active', endDate: '', startDate: '2020-01-06' }));

// ---------------------------------------------------------------- Roster
const rosterSide = await freshServer(kind, { durable });
const workspace = await createWorkspace('ldap-load', people, ldapLoadConfig(rosterSide.server, connections, await demoUsernameExpression(), inFlight));
process.env.ROSTER_BENCH_LDAP_PASSWORD = rosterSide.server.password;
let entries: string[];
let phases: {
  ingest: number; plan: number; apply: number; applied: number; failed: number;
  ingestCpu: number; planCpu: number; applyCpu: number; serverCpu: number | undefined;
};
let rosterMs: number;
const engine = await openEngine(workspace.configPath, { now: () => NOW });
try {
  progress(args, `roster: ${identities} people into ${rosterSide.server.url} over ${connections} connections, ${inFlight} operations in flight`);
  const serverPid = rosterSide.pid();
  const serverCpuBefore = serverPid === undefined ? undefined : processCpuMs(serverPid);
  const started = performance.now();
  const ingest = await measured(() => engine.readSource('hr', 'bench'));
  const plan = await measured(() => engine.plan({ now: NOW }));
  const apply = await measured(() => engine.apply(plan.value, { actor: 'bench', force: true }));
  rosterMs = performance.now() - started;
  const serverCpuAfter = serverPid === undefined ? undefined : processCpuMs(serverPid);
  const serverCpu = serverCpuBefore === undefined || serverCpuAfter === undefined ? undefined : Math.round(serverCpuAfter - serverCpuBefore);
  phases = {
    ingest: ingest.ms, plan: plan.ms, apply: apply.ms, applied: apply.value.applied, failed: apply.value.failed,
    ingestCpu: ingest.cpuMs, planCpu: plan.cpuMs, applyCpu: apply.cpuMs, serverCpu,
  };
  progress(args, `roster: ingest ${ingest.ms} ms, plan ${plan.ms} ms (${plan.value.changes.length} changes), apply ${apply.ms} ms (${apply.value.applied} applied, ${apply.value.failed} failed); total ${Math.round(rosterMs)} ms`);
  progress(args, `roster CPU: ingest ${ingest.cpuMs} ms, plan ${plan.cpuMs} ms, apply ${apply.cpuMs} ms; directory server ${serverCpu ?? '?'} ms`);
  if (apply.value.failed > 0) progress(args, `first errors: ${JSON.stringify(apply.value.errors.slice(0, 3))}`);
  entries = exportEntries(rosterSide.server, workspace.dir);
} finally {
  await engine.close();
  await rosterSide.stop();
}

// ---------------------------------------------------------------- raw ldapadd
const rawDir = await mkdtemp(join(tmpdir(), 'roster-bench-raw-'));
const rawSide = await freshServer(kind, { durable });
let rawMs: number;
try {
  const ldif = kind === 'ad' ? entries.map(withAdAccountFields) : entries;
  const files = splitLdif(ldif, connections, rawDir);
  progress(args, `raw: ${ldif.length} entries, ${connections} parallel ldapadd into ${rawSide.server.url}`);
  rawMs = (await timed(() => loadInParallel(rawSide.server, files, rawDir))).ms;
  const check = exportEntries(rawSide.server, rawDir).length;
  if (check !== ldif.length) throw new Error(`raw side holds ${check} entries, expected ${ldif.length}`);
  progress(args, `raw: ${Math.round(rawMs)} ms`);
} finally {
  await rawSide.stop();
  await rm(rawDir, { recursive: true, force: true });
  await workspace.remove();
}

const perSecond = (count: number, ms: number): number => Math.round((count / (ms / 1000)) * 10) / 10;
const rosterPerS = perSecond(phases.applied, rosterMs);
const rawPerS = perSecond(entries.length, rawMs);
printResult({
  identities,
  connections,
  in_flight: inFlight,
  roster_per_s: rosterPerS,
  raw_per_s: rawPerS,
  ratio: Math.round((rosterPerS / rawPerS) * 100) / 100,
  target: kind,
  sync: args.choices.sync,
  entries: entries.length,
  roster_ms: Math.round(rosterMs),
  ingest_ms: phases.ingest,
  plan_ms: phases.plan,
  apply_ms: phases.apply,
  ingest_cpu_ms: phases.ingestCpu,
  plan_cpu_ms: phases.planCpu,
  apply_cpu_ms: phases.applyCpu,
  server_cpu_ms: phases.serverCpu,
  failed: phases.failed,
  raw_ms: Math.round(rawMs),
});
