import { readFileSync } from 'node:fs';

/**
 * CPU time, for benchmarks on a shared machine: wall clock moves with the
 * other load, the CPU a phase burns does not (much).
 */

/** CPU (user + system) this process has used, in ms (all threads). */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux build in use). */
const USER_HZ = 100;

/** CPU (user + system) another process has used, in ms; undefined when it cannot be read (gone, not Linux). */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the closing parenthesis: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Time an async step: wall ms, and the CPU ms this process used meanwhile (both rounded to 0.1). */
export async function measured<T>(step: () => Promise<T>): Promise<{ readonly value: T; readonly ms: number; readonly cpuMs: number }> {
  const cpu = ownCpuMs();
  const started = performance.now();
  const value = await step();
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { value, ms: round(performance.now() - started), cpuMs: round(ownCpuMs() - cpu) };
}
