/**
 * One pass of a directory source in a process of its own, as `roster sync`
 * or a scheduled run would read it:
 *   node --import tsx bench/lib/directory-source-pass.ts <roster.yaml> <source> <full|incremental>
 * so that its peak RSS (the kernel's high-water mark) is the pass's alone.
 * Prints one JSON line: wall and CPU ms of `engine.readSource` (read and
 * ingest, cursor stored), the part of it spent reading the directory (up to
 * the ingest), RSS after opening the engine and at peak, the ingest's counts
 * and events by kind, the cursor's boundary size before and after, and the
 * stored cursor's size after (its JSON, in bytes) with its entryUUID -> key
 * map's entries.
 */
import type { RosterEngine } from '../../src/engine/engine.js';
import { openEngine } from '../../src/engine/index.js';
import type { IngestResult } from '../../src/engine/types.js';
import { sourceCursorKey } from '../../src/sources/index.js';
import { measured, ownCpuMs } from './cpu.js';

const [configPath, sourceId, mode] = process.argv.slice(2);
if (configPath === undefined || sourceId === undefined || (mode !== 'full' && mode !== 'incremental')) {
  throw new Error('usage: directory-source-pass.ts <roster.yaml> <source> <full|incremental>');
}
const mib = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 10) / 10;

/** Entries in a timestamp cursor's boundary (undefined when there is no such cursor). */
function boundarySize(cursor: unknown): number | undefined {
  const boundary = (cursor as { boundary?: unknown } | undefined)?.boundary;
  return typeof boundary === 'object' && boundary !== null ? Object.keys(boundary).length : undefined;
}

/** Entries in a timestamp cursor's entryUUID -> key map (undefined when it has none). */
function keysSize(cursor: unknown): number | undefined {
  const keys = (cursor as { keys?: unknown } | undefined)?.keys;
  return typeof keys === 'object' && keys !== null ? Object.keys(keys).length : undefined;
}

// RosterEngine: readSource with a pass mode (the Engine interface reads a full pass).
const engine = await openEngine(configPath) as RosterEngine;
try {
  const boundaryBefore = boundarySize(await engine.store.state.get(sourceCursorKey(sourceId)));
  // engine.readSource reads the directory, then calls this.ingest: the first ingest call marks the end of the read.
  let readEnd: { ms: number; cpu: number } | undefined;
  const hooked = engine as unknown as { ingest: (...args: unknown[]) => Promise<IngestResult> };
  const ingest = hooked.ingest.bind(engine);
  hooked.ingest = (...args) => {
    readEnd ??= { ms: performance.now(), cpu: ownCpuMs() };
    return ingest(...args);
  };
  const openRss = process.memoryUsage().rss;
  let sampled = openRss;
  const timer = setInterval(() => { sampled = Math.max(sampled, process.memoryUsage().rss); }, 50);
  const start = { ms: performance.now(), cpu: ownCpuMs() };
  const pass = await measured(() => engine.readSource(sourceId, 'bench', { mode }));
  clearInterval(timer);
  const result = pass.value;
  const events: Record<string, number> = {};
  for (const event of result.events) events[event.kind] = (events[event.kind] ?? 0) + 1;
  const round = (value: number): number => Math.round(value * 10) / 10;
  const after: unknown = await engine.store.state.get(sourceCursorKey(sourceId));
  process.stdout.write(`${JSON.stringify({
    ms: pass.ms, cpu_ms: pass.cpuMs,
    ...(readEnd === undefined ? {} : { read_ms: round(readEnd.ms - start.ms), read_cpu_ms: round(readEnd.cpu - start.cpu) }),
    open_rss_mb: mib(openRss), peak_rss_mb: mib(Math.max(sampled, process.resourceUsage().maxRSS * 1024)),
    received: result.received, created: result.created, changed: result.changed, unchanged: result.unchanged, missing: result.missing,
    problems: result.problems.length, problem_samples: result.problems.slice(0, 3).map((p) => p.message),
    diagnostics: result.diagnostics.map((d) => d.code), events, affected: result.affected.length,
    boundary_before: boundaryBefore, boundary_after: boundarySize(after),
    cursor_bytes: after === undefined ? 0 : Buffer.byteLength(JSON.stringify(after)), cursor_keys: keysSize(after),
  })}\n`);
} finally {
  await engine.close();
}
