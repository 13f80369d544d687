/**
 * Full-plan benchmark: N seeded identities × 3 in-memory targets × 20 roles.
 *   npm run bench -- plan --identities 100000 [--apply auto|engine|links] [--json]
 * Times the first full plan (everything to create), applies it, then times a
 * plan with nothing changed. `--apply engine` (default) applies through the
 * executor and connectors; `--apply links` only records the resulting links in
 * the store (see lib/links.ts), for sizes where the full apply takes too long. Peak RSS covers the whole run. The last line is
 * {"identities","targets","roles","changes","plan_ms","noop_plan_ms","peak_rss_mb",...}.
 */
import { generatePeople } from '../src/demo/index.js';
import { openEngine } from '../src/engine/index.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { recordPlannedLinks } from './lib/links.js';
import { planBenchConfig } from './lib/plan-config.js';
import { trackPeakRss } from './lib/rss.js';
import { timed } from './lib/stats.js';
import { createWorkspace, demoUsernameExpression } from './lib/workspace.js';

const TODAY = '2026-11-27';
const NOW = new Date(`${TODAY}T12:00:00.000Z`);

const args = readArgs({ identities: 100_000, seed: 42 }, { apply: ['auto', 'engine', 'links'] });
// auto: through the executor up to 20,000 identities; above that, record the links the
// plan would leave (a full apply of ~1M changes takes ~12 minutes at ~1,500 changes/s).
// The no-change plan showing 0 changes is the check that both leave the same state.
const applyMode = args.choices.apply === 'auto' ? (args.values.identities > 20_000 ? 'links' : 'engine') : args.choices.apply;
const { identities, seed } = args.values;
const rss = trackPeakRss();

progress(args, `generating ${identities} people (seed ${seed})`);
const people = generatePeople({ count: identities, seed, today: TODAY });
const config = planBenchConfig(await demoUsernameExpression());
const workspace = await createWorkspace('plan', people, config);
const engine = await openEngine(workspace.configPath, { now: () => NOW });
try {
  const ingest = await timed(() => engine.readSource('hr', 'bench'));
  progress(args, `ingested ${ingest.value.received} records in ${ingest.ms} ms (${ingest.value.problems.length} problems)`);

  const first = await timed(() => engine.plan({ now: NOW }));
  progress(args, `first plan: ${first.value.changes.length} changes in ${first.ms} ms ${JSON.stringify(first.value.summary)}`);

  const accountKeys = new Map(engine.config.targets.map((t) => [t.id, t.accountKey]));
  const applied = await timed(async () => (applyMode === 'links'
    ? { applied: (await recordPlannedLinks(engine.store, first.value, accountKeys, NOW), first.value.changes.length), failed: 0, pending: 0 }
    : engine.apply(first.value, { actor: 'bench', force: true })));
  progress(args, `applied (${applyMode}) ${applied.value.applied} (failed ${applied.value.failed}, pending ${applied.value.pending}) in ${applied.ms} ms`);

  const noop = await timed(() => engine.plan({ now: NOW }));
  progress(args, `no-change plan: ${noop.value.changes.length} changes in ${noop.ms} ms`);

  printResult({
    identities,
    targets: (config.targets as unknown[]).length,
    roles: (config.roles as unknown[]).length,
    changes: first.value.changes.length,
    plan_ms: first.ms,
    noop_plan_ms: noop.ms,
    peak_rss_mb: rss.stop(),
    noop_changes: noop.value.changes.length,
    ingest_ms: ingest.ms,
    apply: applyMode,
    apply_ms: applied.ms,
    applied: applied.value.applied,
    failed: applied.value.failed,
  });
} finally {
  await engine.close();
  await workspace.remove();
}
