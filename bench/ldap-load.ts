/**
 * Bulk load into a directory: Roster against raw ldapadd of the same entries.
 *   npm run bench -- ldap-load --identities 10000 --connections 4 [--target ldap|ad] [--json]
 * Roster side: a fresh slapd (or Samba AD DC), N new people through the
 * engine (ingest + plan + apply; the executor's concurrency and the pool are
 * C). Raw side: the entries Roster created, exported with ldapsearch, loaded
 * by C parallel ldapadd processes into another fresh server. For AD the raw
 * LDIF also carries userAccountControl 512, unicodePwd and pwdLastSet 0 in
 * the one add (Roster adds disabled with the password, then enables).
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
import { timed } from './lib/stats.js';
import { createWorkspace, demoUsernameExpression } from './lib/workspace.js';

const TODAY = '2026-11-27';
const NOW = new Date(`${TODAY}T12:00:00.000Z`);

const args = readArgs({ identities: 0, connections: 4, seed: 42 }, { target: ['ldap', 'ad'] });
const kind = args.choices.target as 'ldap' | 'ad';
const identities = args.values.identities > 0 ? args.values.identities : kind === 'ad' ? 500 : 10_000;
const connections = Math.max(1, args.values.connections);

// Everyone active and started: N creates.
const people = generatePeople({ count: identities, seed: args.values.seed, today: TODAY })
  .map((p) => ({ ...p, status: 'active', endDate: '', startDate: '2020-01-06' }));

// ---------------------------------------------------------------- Roster
const rosterSide = await freshServer(kind);
const workspace = await createWorkspace('ldap-load', people, ldapLoadConfig(rosterSide.server, connections, await demoUsernameExpression()));
process.env.ROSTER_BENCH_LDAP_PASSWORD = rosterSide.server.password;
let entries: string[];
let phases: { ingest: number; plan: number; apply: number; applied: number; failed: number };
let rosterMs: number;
const engine = await openEngine(workspace.configPath, { now: () => NOW });
try {
  progress(args, `roster: ${identities} people into ${rosterSide.server.url} over ${connections} connections`);
  const started = performance.now();
  const ingest = await timed(() => engine.readSource('hr', 'bench'));
  const plan = await timed(() => engine.plan({ now: NOW }));
  const apply = await timed(() => engine.apply(plan.value, { actor: 'bench', force: true }));
  rosterMs = performance.now() - started;
  phases = { ingest: ingest.ms, plan: plan.ms, apply: apply.ms, applied: apply.value.applied, failed: apply.value.failed };
  progress(args, `roster: ingest ${ingest.ms} ms, plan ${plan.ms} ms (${plan.value.changes.length} changes), apply ${apply.ms} ms (${apply.value.applied} applied, ${apply.value.failed} failed); total ${Math.round(rosterMs)} ms`);
  if (apply.value.failed > 0) progress(args, `first errors: ${JSON.stringify(apply.value.errors.slice(0, 3))}`);
  entries = exportEntries(rosterSide.server, workspace.dir);
} finally {
  await engine.close();
  await rosterSide.stop();
}

// ---------------------------------------------------------------- raw ldapadd
const rawDir = await mkdtemp(join(tmpdir(), 'roster-bench-raw-'));
const rawSide = await freshServer(kind);
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
  roster_per_s: rosterPerS,
  raw_per_s: rawPerS,
  ratio: Math.round((rosterPerS / rawPerS) * 100) / 100,
  target: kind,
  entries: entries.length,
  roster_ms: Math.round(rosterMs),
  ingest_ms: phases.ingest,
  plan_ms: phases.plan,
  apply_ms: phases.apply,
  failed: phases.failed,
  raw_ms: Math.round(rawMs),
});
