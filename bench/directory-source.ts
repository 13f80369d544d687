/**
 * A directory as the source of people, at the scale of a real directory.
 *   npm run bench -- directory-source --people 50000 [--page-size 500] [--profile no|yes] [--json]
 * A fresh slapd gets N inetOrgPerson people with 4 parallel ldapadd (every one with an
 * employeeNumber, a manager DN for all but the CEO). The configuration reads it as an `ldap` source
 * keyed by employeeNumber (lib/directory-source-world.ts). Five passes run, each in a process of its
 * own (lib/directory-source-pass.ts, so each peak RSS is the pass's own):
 *   full_1   a full pass: N joiners;
 *   full_2   a full pass with nothing changed: N unchanged;
 *   incr_1   an incremental pass after 1 % of the people got a new departmentNumber (ldapmodify),
 *            from the cursor the full pass left right after the bulk load (its boundary holds every
 *            entry loaded in the last seconds of the load, which this pass reads again and skips);
 *   incr_2   the same after another 1 % (the steady state: the cursor holds only the last changes).
 *            An incremental pass reads again the reports of the people it read whose key changed (a
 *            manager's new key must reach reports whose entries do not change: src/sources/directory/
 *            reports.ts, since 022eb7d; the cursor's entryUUID -> key map tells whose key changed). The
 *            movers change departmentNumber only, so it reads no report again and receives the movers
 *            alone (`incrN_reports`, the people outside the movers whose manager moved, 139 and 111 at
 *            10,000 people, seed 42, are what it read again before the map: none of them now);
 *   full_3   a full pass after 1 % were deleted (none of them anyone's manager): N/100 missing,
 *            within the source's maxMissing (20 %).
 * Every count (received, created, changed, unchanged, missing, problems, events by kind) is checked
 * against what the bench changed; a mismatch fails the benchmark. `*_ms` is engine.readSource's
 * wall time, `*_read_ms` the part before the ingest (the directory read and its mapping),
 * `*_cpu_ms` the pass process's CPU, `*_server_cpu_ms` slapd's, `*_peak_rss_mb` the pass process's
 * high-water mark, `*_cursor_bytes` the stored cursor's JSON after the pass (`*_cursor_keys` the entries of its
 * entryUUID -> key map). `--profile yes` writes a V8 CPU profile of each pass (node --cpu-prof).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePeople } from '../src/demo/index.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { processCpuMs } from './lib/cpu.js';
import { runPassProcess } from './lib/pass-process.js';
import { deleteLdif, ldapModify, moveLdif, sourceConfig, sourceWorld } from './lib/directory-source-world.js';
import { loadInParallel, splitLdif } from './lib/ldap-raw.js';
import { freshServer } from './lib/ldap-servers.js';
import { timed } from './lib/stats.js';
import { createWorkspace } from './lib/workspace.js';

const TODAY = '2026-11-27';
const SOURCE = 'corp';
const PASS = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'directory-source-pass.ts');
// The child runs outside the repository (in the workspace): tsx's loader is named by its resolved URL.

const args = readArgs({ people: 10_000, 'page-size': 500, seed: 42 }, { profile: ['no', 'yes'] });
const count = Math.max(2, args.values.people);
const pageSize = Math.max(1, args.values['page-size']);
const profileDir = args.choices.profile === 'yes' ? await mkdtemp(join(tmpdir(), 'roster-bench-dirsrc-prof-')) : undefined;

interface PassResult {
  readonly ms: number; readonly cpu_ms: number; readonly read_ms?: number; readonly read_cpu_ms?: number;
  readonly open_rss_mb: number; readonly peak_rss_mb: number;
  readonly received: number; readonly created: number; readonly changed: number; readonly unchanged: number; readonly missing: number;
  readonly problems: number; readonly problem_samples: readonly string[]; readonly diagnostics: readonly string[];
  readonly events: Readonly<Record<string, number>>; readonly affected: number;
  readonly boundary_before?: number; readonly boundary_after?: number;
  readonly cursor_bytes: number; readonly cursor_keys?: number;
}
type Pass = PassResult & { readonly server_cpu_ms: number | undefined };

function spawnPass(configPath: string, cwd: string, mode: 'full' | 'incremental'): Promise<PassResult> {
  return runPassProcess<PassResult>(PASS, [configPath, SOURCE, mode], { cwd, label: `${mode} pass`, ...(profileDir === undefined ? {} : { profileDir }) });
}

/**
 * Wait until slapd is idle (its CPU time still over 250 ms; at most 120 s), so that work slapd does
 * after answering a change is not counted in the next pass's server CPU: after each delete the test
 * slapd's memberof/refint overlays search the whole directory for references in a thread of their
 * own (≈ 5 s of CPU for 500 deletes among 50,000 entries). The wait in ms.
 */
async function settle(): Promise<number> {
  const pid = server.pid();
  const started = performance.now();
  if (pid === undefined) return 0;
  let last = processCpuMs(pid);
  for (let i = 0; i < 480; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = processCpuMs(pid);
    if (now === last) return Math.round(performance.now() - started);
    last = now;
  }
  throw new Error('slapd did not become idle within 120 s');
}

/** One pass in a child process, and slapd's CPU over it. */
async function runPass(label: string, mode: 'full' | 'incremental'): Promise<Pass> {
  const waited = await settle();
  if (waited > 1000) progress(args, `(waited ${waited} ms for slapd to become idle)`);
  const pid = server.pid();
  const before = pid === undefined ? undefined : processCpuMs(pid);
  const result = await spawnPass(workspace.configPath, workspace.dir, mode);
  const after = pid === undefined ? undefined : processCpuMs(pid);
  const pass = { ...result, server_cpu_ms: before === undefined || after === undefined ? undefined : Math.round(after - before) };
  progress(args, `${label}: ${pass.received} received (${pass.created} created, ${pass.changed} changed, ${pass.unchanged} unchanged, ${pass.missing} missing) `
    + `in ${pass.ms} ms (read ${pass.read_ms ?? '?'} ms; CPU ${pass.cpu_ms} ms; slapd CPU ${pass.server_cpu_ms ?? '?'} ms; peak RSS ${pass.peak_rss_mb} MiB; boundary ${pass.boundary_before ?? '-'} -> ${pass.boundary_after ?? '-'})`);
  return pass;
}

/** A wrong figure is worse than none: every count must be what the bench changed. */
function check(label: string, got: Pass, want: Readonly<Record<string, unknown>>): void {
  const text = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
  const actual = got as unknown as Readonly<Record<string, unknown>>;
  const wrong = Object.entries(want).filter(([k, v]) => text(actual[k]) !== text(v));
  if (wrong.length > 0) {
    throw new Error(`${label}: ${wrong.map(([k, v]) => `${k} is ${text(actual[k])}, expected ${text(v)}`).join('; ')}; problems: ${got.problem_samples.join(' | ')}`);
  }
}

const server = await freshServer('ldap');
process.env.ROSTER_BENCH_LDAP_PASSWORD = server.server.password;
const world = sourceWorld(generatePeople({ count, seed: args.values.seed, today: TODAY }), server.server.peopleDn);
const workspace = await createWorkspace('directory-source', [], sourceConfig(server.server, pageSize));
try {
  const load = await timed(() => loadInParallel(server.server, splitLdif(world.entries, 4, workspace.dir), workspace.dir));
  progress(args, `loaded ${world.entries.length} entries with 4 parallel ldapadd in ${load.ms} ms`);
  const quiet = { problems: 0, diagnostics: [] };

  const full1 = await runPass('full pass 1 (everyone new)', 'full');
  check('full pass 1', full1, { ...quiet, received: count, created: count, changed: 0, unchanged: 0, missing: 0, affected: count, events: { joiner: count } });

  const full2 = await runPass('full pass 2 (nothing changed)', 'full');
  check('full pass 2', full2, { ...quiet, received: count, created: 0, changed: 0, unchanged: count, missing: 0, affected: 0, events: {} });

  const [first, second] = world.moved;
  const moves: number[] = [];
  const incremental: Pass[] = [];
  for (const [round, movers] of [first, second].entries()) {
    // Only the reports of a mover whose key changed are read again (reports.ts): the movers keep theirs, so none.
    const move = await timed(() => ldapModify(server.server, workspace.dir, `move-${round + 1}`, moveLdif(server.server.peopleDn, movers, round + 1)));
    moves.push(move.ms);
    progress(args, `moved ${movers.length} people (ldapmodify) in ${move.ms} ms`);
    const pass = await runPass(`incremental pass ${round + 1}`, 'incremental');
    check(`incremental pass ${round + 1}`, pass, { ...quiet, received: movers.length, created: 0, changed: movers.length, unchanged: 0, missing: 0, affected: movers.length, events: { mover: movers.length } });
    incremental.push(pass);
  }

  const removal = await timed(() => ldapModify(server.server, workspace.dir, 'delete', deleteLdif(server.server.peopleDn, world.deleted)));
  progress(args, `deleted ${world.deleted.length} entries (ldapmodify) in ${removal.ms} ms`);
  const full3 = await runPass('full pass 3 (1 % deleted)', 'full');
  const left = count - world.deleted.length;
  check('full pass 3', full3, { ...quiet, received: left, created: 0, changed: 0, unchanged: left, missing: world.deleted.length, affected: world.deleted.length, events: { missing: world.deleted.length } });
  if (profileDir !== undefined) progress(args, `CPU profiles in ${profileDir}`);

  const [incr1, incr2] = incremental as [Pass, Pass];
  const figures = (prefix: string, pass: Pass): Record<string, unknown> => ({
    [`${prefix}_ms`]: pass.ms, [`${prefix}_read_ms`]: pass.read_ms, [`${prefix}_cpu_ms`]: pass.cpu_ms, [`${prefix}_read_cpu_ms`]: pass.read_cpu_ms,
    [`${prefix}_server_cpu_ms`]: pass.server_cpu_ms, [`${prefix}_peak_rss_mb`]: pass.peak_rss_mb,
    [`${prefix}_cursor_bytes`]: pass.cursor_bytes, [`${prefix}_cursor_keys`]: pass.cursor_keys,
  });
  printResult({
    people: count,
    page_size: pageSize,
    ...figures('full1', full1),
    full1_per_s: Math.round(count / (full1.ms / 1000)),
    ...figures('full2', full2),
    ...figures('incr1', incr1),
    incr1_boundary: incr1.boundary_before,
    incr1_reports: world.reportsOfMoved[0],
    ...figures('incr2', incr2),
    incr2_boundary: incr2.boundary_before,
    incr2_reports: world.reportsOfMoved[1],
    ...figures('full3', full3),
    // RSS of a pass's process once the engine is open, before the pass: the peak's baseline.
    open_rss_mb: full1.open_rss_mb,
    moved: incr1.changed + incr2.changed,
    deleted: full3.missing,
    load_ms: load.ms,
    modify_ms: moves,
    delete_ms: removal.ms,
    ...(profileDir === undefined ? {} : { profiles: profileDir }),
  });
} finally {
  await server.stop();
  await workspace.remove();
}
