/**
 * One reconcile pass in a process of its own, as `roster reconcile` runs:
 *   node --import tsx bench/lib/reconcile-pass.ts <roster.yaml> <now ISO> <target>
 * so that its peak RSS (the kernel's high-water mark) is the pass's alone, not
 * the benchmark's setup. Prints one JSON line: wall and CPU ms of the pass,
 * RSS after opening the engine and at peak, and the report's counts.
 */
import { openEngine } from '../../src/engine/index.js';
import { measured } from './cpu.js';

const [configPath, nowText, target] = process.argv.slice(2);
if (configPath === undefined || nowText === undefined || target === undefined) throw new Error('usage: reconcile-pass.ts <roster.yaml> <now> <target>');
const now = new Date(nowText);
const mib = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 10) / 10;

const engine = await openEngine(configPath, { now: () => now });
try {
  const openRss = process.memoryUsage().rss;
  let sampled = openRss;
  const timer = setInterval(() => { sampled = Math.max(sampled, process.memoryUsage().rss); }, 50);
  const pass = await measured(() => engine.reconcile(target, { actor: 'bench', apply: false }));
  clearInterval(timer);
  const report = pass.value;
  const byRule: Record<string, number> = {};
  for (const m of report.matched) byRule[m.rule] = (byRule[m.rule] ?? 0) + 1;
  process.stdout.write(`${JSON.stringify({
    ms: pass.ms, cpu_ms: pass.cpuMs,
    open_rss_mb: mib(openRss), peak_rss_mb: mib(Math.max(sampled, process.resourceUsage().maxRSS * 1024)),
    accounts: report.accounts, linked: report.linked, matched: report.matched.length, by_rule: byRule,
    orphans: report.orphans.length, disputed: report.disputed.length, two_candidates: report.disputed.filter((d) => d.candidates.length === 2).length,
    vanished: report.vanished.length, misplaced: report.misplaced?.length ?? 0, warnings: report.warnings ?? [], held: report.plan.held, changes: report.plan.changes.length,
  })}\n`);
} finally {
  await engine.close();
}
