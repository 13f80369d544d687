/**
 * Bulk load into a directory: Roster against raw ldapadd of the same entries.
 *   npm run bench -- ldap-load --identities 10000 --connections 4 [--inflight N] [--target ldap|ad] [--sync nosync|durable] [--posix no|yes] [--json]
 * `--sync durable` runs both slapds flushing every write to disk, as a
 * production directory does (the default, like the tests, runs with olcDbNoSync).
 * `--posix yes` (ldap): the entries are posixAccounts too, with uidNumbers
 * Roster allocates; the raw side loads the same entries, numbers included.
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
 * Two more sides break the ratio down: the same people through Roster into
 * an in-memory target instead of the directory (`memory_*`: Roster's own
 * cost, the ceiling of the ratio whatever the directory side does), and, for
 * ldap, the same entries added by a bare ldapts client over the same
 * connections with the same operations in flight (`client_*`: the floor of
 * the directory side in Node). `apply_*` is Roster's apply alone.
 * `ceiling_ratio` (ldap): raw time over ingest + plan + the client's time, the
 * ratio Roster would reach if its apply cost nothing beyond the client's adds.
 * The last line is {"identities","connections","roster_per_s","raw_per_s","ratio",...}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePeople } from '../src/demo/index.js';
import { openEngine } from '../src/engine/index.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { ldapLoadConfig, memoryLoadConfig } from './lib/ldap-config.js';
import { addWithClient, parseLdifEntry } from './lib/ldap-client.js';
import { exportEntries, loadInParallel, splitLdif, withAdAccountFields } from './lib/ldap-raw.js';
import { freshServer } from './lib/ldap-servers.js';
import { measured, processCpuMs } from './lib/cpu.js';
import { timed } from './lib/stats.js';
import { createWorkspace, demoUsernameExpression } from './lib/workspace.js';

const TODAY = '2026-11-27';
const NOW = new Date(`${TODAY}T12:00:00.000Z`);

const args = readArgs({ identities: 0, connections: 4, inflight: 0, seed: 42 }, { target: ['ldap', 'ad'], sync: ['nosync', 'durable'], posix: ['no', 'yes'] });
const durable = args.choices.sync === 'durable';
const kind = args.choices.target as 'ldap' | 'ad';
const posix = args.choices.posix === 'yes';
if (posix && kind !== 'ldap') throw new Error('--posix yes is for --target ldap');
const identities = args.values.identities > 0 ? args.values.identities : kind === 'ad' ? 500 : 10_000;
const connections = Math.max(1, args.values.connections);
// OpenLDAP takes pipelined adds in parallel; Samba serialises its writes and slows down with more at once (measured: 16/s at 32, 28/s at 4).
const inFlight = args.values.inflight > 0 ? args.values.inflight : kind === 'ad' ? connections : connections * 8;

// Everyone active and started: N creates.
const people = generatePeople({ count: identities, seed: args.values.seed, today: TODAY })
  .map((p) => ({ ...p, status: 'active', endDate: '', startDate: '2020-01-06' }));

/** The directory server's CPU from now to the call of the function returned (slapd only). */
function serverCpuMeter(pid: number | undefined): () => number | undefined {
  const before = pid === undefined ? undefined : processCpuMs(pid);
  return () => {
    const after = pid === undefined ? undefined : processCpuMs(pid);
    return before === undefined || after === undefined ? undefined : Math.round(after - before);
  };
}

// ---------------------------------------------------------------- Roster
interface RosterRun {
  readonly ms: number;
  readonly ingest: number; readonly plan: number; readonly apply: number; readonly applied: number; readonly failed: number;
  readonly ingestCpu: number; readonly planCpu: number; readonly applyCpu: number;
}

/** HR file -> plan -> apply through the engine, timed per phase. */
async function runRoster(label: string, config: Record<string, unknown>, onDone?: (dir: string) => void): Promise<RosterRun> {
  const workspace = await createWorkspace('ldap-load', people, config);
  try {
    const engine = await openEngine(workspace.configPath, { now: () => NOW });
    try {
      const started = performance.now();
      const ingest = await measured(() => engine.readSource('hr', 'bench'));
      const plan = await measured(() => engine.plan({ now: NOW }));
      const apply = await measured(() => engine.apply(plan.value, { actor: 'bench', force: true }));
      const ms = performance.now() - started;
      progress(args, `${label}: ingest ${ingest.ms} ms, plan ${plan.ms} ms (${plan.value.changes.length} changes), apply ${apply.ms} ms (${apply.value.applied} applied, ${apply.value.failed} failed); total ${Math.round(ms)} ms`);
      progress(args, `${label} CPU: ingest ${ingest.cpuMs} ms, plan ${plan.cpuMs} ms, apply ${apply.cpuMs} ms`);
      if (apply.value.failed > 0) progress(args, `first errors: ${JSON.stringify(apply.value.errors.slice(0, 3))}`);
      onDone?.(workspace.dir);
      return {
        ms, ingest: ingest.ms, plan: plan.ms, apply: apply.ms, applied: apply.value.applied, failed: apply.value.failed,
        ingestCpu: ingest.cpuMs, planCpu: plan.cpuMs, applyCpu: apply.cpuMs,
      };
    } finally {
      await engine.close();
    }
  } finally {
    await workspace.remove();
  }
}

const username = await demoUsernameExpression();
const rosterSide = await freshServer(kind, { durable });
process.env.ROSTER_BENCH_LDAP_PASSWORD = rosterSide.server.password;
let entries: string[] = [];
let roster: RosterRun;
let serverCpu: number | undefined;
try {
  progress(args, `roster: ${identities} people into ${rosterSide.server.url} over ${connections} connections, ${inFlight} operations in flight`);
  const cpuOf = serverCpuMeter(rosterSide.pid());
  roster = await runRoster('roster', ldapLoadConfig(rosterSide.server, connections, username, inFlight, posix), (dir) => {
    serverCpu = cpuOf();
    progress(args, `directory server CPU over the Roster run: ${serverCpu ?? '?'} ms`);
    entries = exportEntries(rosterSide.server, dir);
  });
} finally {
  await rosterSide.stop();
}

// ---------------------------------------------------------------- Roster, no directory
// The same people and mapping into an in-memory target: what Roster itself costs per person.
const memory = await runRoster('roster into memory', memoryLoadConfig(rosterSide.server, connections, username, inFlight));

// ---------------------------------------------------------------- bare client
// The same entries through a bare ldapts client (ldap only: the AD side adds passwords Roster sets in two steps).
let clientMs: number | undefined;
let clientServerCpu: number | undefined;
let clientCpu: number | undefined;
if (kind === 'ldap') {
  const clientSide = await freshServer(kind, { durable });
  try {
    const cpuOf = serverCpuMeter(clientSide.pid());
    const parsed = entries.map(parseLdifEntry);
    progress(args, `client: ${parsed.length} entries, ${connections} ldapts connections, ${inFlight} in flight, into ${clientSide.server.url}`);
    const client = await measured(() => addWithClient(clientSide.server, parsed, connections, inFlight));
    clientMs = client.ms;
    clientCpu = client.cpuMs;
    clientServerCpu = cpuOf();
    const check = exportEntries(clientSide.server, tmpdir()).length;
    if (check !== parsed.length) throw new Error(`client side holds ${check} entries, expected ${parsed.length}`);
    progress(args, `client: ${Math.round(clientMs)} ms`);
  } finally {
    await clientSide.stop();
  }
}

// ---------------------------------------------------------------- raw ldapadd
const rawDir = await mkdtemp(join(tmpdir(), 'roster-bench-raw-'));
const rawSide = await freshServer(kind, { durable });
let rawMs: number;
let rawServerCpu: number | undefined;
try {
  const cpuOf = serverCpuMeter(rawSide.pid());
  const ldif = kind === 'ad' ? entries.map(withAdAccountFields) : entries;
  const files = splitLdif(ldif, connections, rawDir);
  progress(args, `raw: ${ldif.length} entries, ${connections} parallel ldapadd into ${rawSide.server.url}`);
  rawMs = (await timed(() => loadInParallel(rawSide.server, files, rawDir))).ms;
  rawServerCpu = cpuOf();
  const check = exportEntries(rawSide.server, rawDir).length;
  if (check !== ldif.length) throw new Error(`raw side holds ${check} entries, expected ${ldif.length}`);
  progress(args, `raw: ${Math.round(rawMs)} ms`);
} finally {
  await rawSide.stop();
  await rm(rawDir, { recursive: true, force: true });
}

const perSecond = (count: number, ms: number): number => Math.round((count / (ms / 1000)) * 10) / 10;
const ratioOf = (perS: number, base: number): number => Math.round((perS / base) * 100) / 100;
const rawPerS = perSecond(entries.length, rawMs);
const rosterPerS = perSecond(roster.applied, roster.ms);
const applyPerS = perSecond(roster.applied, roster.apply);
const memoryPerS = perSecond(memory.applied, memory.ms);
const clientPerS = clientMs === undefined ? undefined : perSecond(entries.length, clientMs);
printResult({
  identities,
  connections,
  in_flight: inFlight,
  roster_per_s: rosterPerS,
  raw_per_s: rawPerS,
  ratio: ratioOf(rosterPerS, rawPerS),
  target: kind,
  sync: args.choices.sync,
  posix,
  entries: entries.length,
  roster_ms: Math.round(roster.ms),
  ingest_ms: roster.ingest,
  plan_ms: roster.plan,
  apply_ms: roster.apply,
  ingest_cpu_ms: roster.ingestCpu,
  plan_cpu_ms: roster.planCpu,
  apply_cpu_ms: roster.applyCpu,
  server_cpu_ms: serverCpu,
  failed: roster.failed,
  raw_ms: Math.round(rawMs),
  // The apply alone (the plan already made, as the raw side's LDIF is).
  apply_per_s: applyPerS,
  apply_ratio: ratioOf(applyPerS, rawPerS),
  // Roster with no directory behind it: the ceiling of `ratio` however fast the directory side gets.
  memory_per_s: memoryPerS,
  memory_ratio: ratioOf(memoryPerS, rawPerS),
  memory_ms: Math.round(memory.ms),
  memory_apply_ms: memory.apply,
  memory_cpu_ms: Math.round(memory.ingestCpu + memory.planCpu + memory.applyCpu),
  // The directory writes alone through the client library: the floor of Roster's directory side.
  client_per_s: clientPerS,
  client_ratio: clientPerS === undefined ? undefined : ratioOf(clientPerS, rawPerS),
  client_ms: clientMs === undefined ? undefined : Math.round(clientMs),
  // The directory server's CPU for the same entries: Roster's extra directory operations show as the difference.
  client_cpu_ms: clientCpu,
  client_server_cpu_ms: clientServerCpu,
  // The ratio Roster would reach if its apply cost nothing beyond the bare client's adds: ingest and plan come
  // first (a plan is complete before anything is applied), then the directory writes at the client's pace.
  ceiling_ratio: clientMs === undefined ? undefined : ratioOf(rawMs, roster.ingest + roster.plan + clientMs),
  raw_server_cpu_ms: rawServerCpu,
});
