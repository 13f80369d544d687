/**
 * Reconcile at the scale of a real directory: Roster introduced into an OpenLDAP that already has people.
 *   npm run bench -- reconcile --accounts 50000 [--page-size 500] [--placement keep|enforce] [--moved 10] [--profile no|yes] [--json]
 * A fresh slapd gets N inetOrgPerson entries with ldapadd (lib/reconcile-directory.ts): every fourth
 * with no employeeNumber and its mail in upper case, plus N/100 orphans (nobody in HR) and N/1000 shared
 * mailboxes whose mail two HR people give (disputes). The HR file has the N people, the sharing pairs
 * and N/100 people without an account. The target matches on employeeNumber (exact), then mail.
 * After the HR file is read, two reconcile passes run, each in a process of its own as
 * `roster reconcile` would (lib/reconcile-pass.ts), so each peak RSS is the pass's own: the first links
 * N accounts, the second finds them all linked. Between the passes `--moved` entries (default 10) are moved
 * by hand (ldapmodify) into an OU below the people's: with `--placement enforce` (the target's users.placement)
 * the second pass must find exactly those misplaced, with `keep` (the default) none. Every count is checked against what the setup made;
 * a mismatch fails the benchmark. `*_server_cpu_ms` is slapd's CPU over each pass. `--profile yes` writes a V8 CPU profile of each pass (node --cpu-prof).
 * The last line is {"accounts","placement","first_ms","first_cpu_ms","first_peak_rss_mb","first_per_s","second_ms",...,"misplaced"}.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePeople } from '../src/demo/index.js';
import { openEngine } from '../src/engine/index.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { processCpuMs } from './lib/cpu.js';
import { runPassProcess } from './lib/pass-process.js';
import { ldapmodify, loadInParallel, splitLdif } from './lib/ldap-raw.js';
import { freshServer } from './lib/ldap-servers.js';
import { movedByHandLdif, reconcileConfig, reconcileWorld } from './lib/reconcile-directory.js';
import { timed } from './lib/stats.js';
import { createWorkspace, demoUsernameExpression } from './lib/workspace.js';

const TODAY = '2026-11-27';
const NOW = new Date(`${TODAY}T12:00:00.000Z`);
const TARGET = 'directory';
const PASS = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'reconcile-pass.ts');
// The child runs outside the repository (in the workspace): tsx's loader is named by its resolved URL.

const args = readArgs({ accounts: 10_000, 'page-size': 500, seed: 42, moved: 10 }, { profile: ['no', 'yes'], placement: ['keep', 'enforce'] });
const accounts = Math.max(1, args.values.accounts);
const pageSize = args.values['page-size'];
const placement = args.choices.placement === 'enforce' ? 'enforce' : 'keep';
const moved = Math.min(args.values.moved, accounts);
const profileDir = args.choices.profile === 'yes' ? await mkdtemp(join(tmpdir(), 'roster-bench-reconcile-prof-')) : undefined;

interface PassResult {
  readonly ms: number; readonly cpu_ms: number; readonly open_rss_mb: number; readonly peak_rss_mb: number;
  readonly accounts: number; readonly linked: number; readonly matched: number; readonly by_rule: Readonly<Record<string, number>>;
  readonly orphans: number; readonly disputed: number; readonly two_candidates: number; readonly vanished: number; readonly misplaced: number;
  readonly warnings: readonly string[]; readonly held: boolean; readonly changes: number;
}

/** One pass in a child process (its own RSS high-water mark); its JSON line, and slapd's CPU over it. */
async function runPass(configPath: string, cwd: string): Promise<PassResult & { readonly server_cpu_ms: number | undefined }> {
  const pid = server.pid();
  const before = pid === undefined ? undefined : processCpuMs(pid);
  const result = await spawnPass(configPath, cwd);
  const after = pid === undefined ? undefined : processCpuMs(pid);
  return { ...result, server_cpu_ms: before === undefined || after === undefined ? undefined : Math.round(after - before) };
}

function spawnPass(configPath: string, cwd: string): Promise<PassResult> {
  return runPassProcess<PassResult>(PASS, [configPath, NOW.toISOString(), TARGET], { cwd, label: 'reconcile pass', ...(profileDir === undefined ? {} : { profileDir }) });
}

/** A wrong figure is worse than none: every count must be what the setup made. */
function check(label: string, got: PassResult, want: Readonly<Record<string, unknown>>): void {
  const text = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
  const actual = got as unknown as Readonly<Record<string, unknown>>;
  const wrong = Object.entries(want).filter(([k, v]) => text(actual[k]) !== text(v));
  if (wrong.length > 0) throw new Error(`${label}: ${wrong.map(([k, v]) => `${k} is ${text(actual[k])}, expected ${text(v)}`).join('; ')}`);
}

const server = await freshServer('ldap');
process.env.ROSTER_BENCH_LDAP_PASSWORD = server.server.password;
const world = reconcileWorld(
  generatePeople({ count: Math.ceil(accounts * 1.05) + 20, seed: args.values.seed, today: TODAY }), accounts, server.server.peopleDn,
);
const workspace = await createWorkspace('reconcile', world.people, reconcileConfig(server.server, await demoUsernameExpression(), pageSize, placement));
try {
  const load = await timed(() => loadInParallel(server.server, splitLdif(world.entries, 4, workspace.dir), workspace.dir));
  progress(args, `loaded ${world.entries.length} entries with 4 parallel ldapadd in ${load.ms} ms`);
  const engine = await openEngine(workspace.configPath, { now: () => NOW });
  try {
    const ingest = await timed(() => engine.readSource('hr', 'bench'));
    progress(args, `read ${ingest.value.received} HR records in ${ingest.ms} ms (${ingest.value.problems.length} problems)`);
  } finally {
    await engine.close();
  }

  const { expected } = world;
  const employeeRule = 'employeeNumber = identity.employeeId';
  const mailRule = 'email = identity.email';
  const common = { accounts: expected.accounts, orphans: expected.orphans, disputed: expected.disputed, two_candidates: expected.disputed, vanished: 0, warnings: [], changes: 0 };
  // A pass checks placement on links it did not make itself: the first links everything, so finds nothing misplaced.

  const first = await runPass(workspace.configPath, workspace.dir);
  progress(args, `first pass: ${first.matched} linked, ${first.orphans} orphans, ${first.disputed} disputed in ${first.ms} ms (CPU ${first.cpu_ms} ms, peak RSS ${first.peak_rss_mb} MiB)`);
  check('first pass', first, { ...common, linked: 0, matched: expected.matched, by_rule: { [employeeRule]: expected.matched - expected.byMail, [mailRule]: expected.byMail }, misplaced: 0 });

  // Entries moved by hand after Roster linked them (untimed): still below users.base, no longer where users.dn places them.
  const movedFile = join(workspace.dir, 'moved.ldif');
  await writeFile(movedFile, movedByHandLdif(server.server.peopleDn, accounts, moved));
  if (moved > 0) await ldapmodify(server.server, movedFile, workspace.dir);
  progress(args, `moved ${moved} entries by hand; users.placement: ${placement}`);

  const second = await runPass(workspace.configPath, workspace.dir);
  progress(args, `second pass: ${second.linked} already linked in ${second.ms} ms (CPU ${second.cpu_ms} ms, peak RSS ${second.peak_rss_mb} MiB)`);
  check('second pass', second, { ...common, linked: expected.matched, matched: 0, by_rule: {}, misplaced: placement === 'enforce' ? moved : 0 });
  if (profileDir !== undefined) progress(args, `CPU profiles in ${profileDir}`);

  const perSecond = (ms: number): number => Math.round(expected.accounts / (ms / 1000));
  printResult({
    accounts: expected.accounts,
    placement,
    people: world.people.length,
    page_size: pageSize,
    first_ms: first.ms,
    first_cpu_ms: first.cpu_ms,
    first_peak_rss_mb: first.peak_rss_mb,
    first_per_s: perSecond(first.ms),
    first_server_cpu_ms: first.server_cpu_ms,
    second_ms: second.ms,
    second_cpu_ms: second.cpu_ms,
    second_peak_rss_mb: second.peak_rss_mb,
    second_per_s: perSecond(second.ms),
    second_server_cpu_ms: second.server_cpu_ms,
    // RSS of the pass's process once the engine is open, before the pass: the peak's baseline.
    open_rss_mb: first.open_rss_mb,
    linked: second.linked,
    matched: first.matched,
    matched_by_mail: expected.byMail,
    orphans: first.orphans,
    disputed: first.disputed,
    moved,
    misplaced: second.misplaced,
    load_ms: load.ms,
    ...(profileDir === undefined ? {} : { profiles: profileDir }),
  });
} finally {
  await server.stop();
  await workspace.remove();
}
