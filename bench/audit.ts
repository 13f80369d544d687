/**
 * Appending to the hash-chained audit log, as the engine does for a bulk load
 * of N people: N `lifecycle.joiner` entries in one append (an ingest), then N
 * `change.applied` entries in appends of 32 (the executor's completions come
 * in batches), into a fresh SQLite file store. Each run opens its own store;
 * the chain is verified after each run (`verifyAudit`), so a faster append
 * that broke the chain would fail here.
 *   npm run bench -- audit --entries 10000 [--runs 5] [--json]
 * The last line is {"entries","runs","joiner_cpu_ms","applied_cpu_ms",...} (medians).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAudit } from '../src/audit/verify.js';
import type { AuditEntryInput } from '../src/core/types.js';
import { generatePeople } from '../src/demo/index.js';
import { openStore } from '../src/store/index.js';
import { printResult, progress, readArgs } from './lib/args.js';
import { measured } from './lib/cpu.js';
import { percentile } from './lib/stats.js';

const args = readArgs({ entries: 10_000, runs: 5 });
const { entries: count, runs } = args.values;
const people = generatePeople({ count, seed: 42, today: '2026-11-27' });
const PLAN = '732e2d4a-3532-4964-bf70-65bd5974c4d5';

const joiners: AuditEntryInput[] = people.map((p) => ({
  kind: 'lifecycle.joiner', actor: 'source:hr', identity: p.employeeId, reasons: ['joiner'], data: { effectiveAt: '2026-11-27T12:00:00.000Z' },
}));
const applied: AuditEntryInput[] = people.map((p) => {
  const uid = p.email.split('@')[0] ?? p.employeeId;
  const attributes = {
    uid, cn: `${p.givenName} ${p.familyName}`, sn: p.familyName, employeeNumber: p.employeeId, givenName: p.givenName,
    displayName: `${p.givenName} ${p.familyName}`, email: p.email, title: p.title, department: p.department,
  };
  return {
    kind: 'change.applied', actor: 'executor:bench', identity: p.employeeId, target: 'directory', reasons: ['joiner'],
    before: null, after: { accountId: uid, enabled: true, attributes },
    data: { planId: PLAN, changeId: `directory:${p.employeeId}:create`, action: 'create', accountId: uid },
  };
});

const samples = { joiner: [] as number[], applied: [] as number[], joinerWall: [] as number[], appliedWall: [] as number[] };
for (let run = 0; run < runs; run++) {
  const dir = await mkdtemp(join(tmpdir(), 'roster-bench-audit-'));
  const store = await openStore(`sqlite:${join(dir, 'roster.db')}`);
  try {
    const ingest = await measured(() => store.audit.append(joiners, { returning: false }));
    const completions = await measured(async () => {
      for (let i = 0; i < applied.length; i += 32) await store.audit.append(applied.slice(i, i + 32), { returning: false });
    });
    const report = await verifyAudit(store);
    if (!report.ok || report.entries !== 2 * count) throw new Error(`the chain does not verify after run ${run + 1}: ${JSON.stringify(report).slice(0, 300)}`);
    samples.joiner.push(ingest.cpuMs);
    samples.joinerWall.push(ingest.ms);
    samples.applied.push(completions.cpuMs);
    samples.appliedWall.push(completions.ms);
    progress(args, `run ${run + 1}: ${count} joiners in one append ${Math.round(ingest.cpuMs)} ms CPU; ${count} applied in appends of 32 ${Math.round(completions.cpuMs)} ms CPU`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (values: readonly number[]): number => Math.round(percentile(values, 50));
printResult({
  entries: count, runs,
  joiner_cpu_ms: median(samples.joiner), joiner_ms: median(samples.joinerWall),
  applied_cpu_ms: median(samples.applied), applied_ms: median(samples.appliedWall),
  joiner_us_per_entry: Math.round((median(samples.joiner) / count) * 1000 * 10) / 10,
  applied_us_per_entry: Math.round((median(samples.applied) / count) * 1000 * 10) / 10,
});
