import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Worker ids, and telling from one whether its process is gone. A worker id
 * names the host and pid for the operator, a random part (neither is unique
 * alone: two engines in one process, containers given the same hostname
 * that all run as pid 1), and, where Linux gives them, the pid namespace
 * (/proc/self/ns/pid) and the boot (/proc/sys/kernel/random/boot_id):
 *   vm:4242:1f2e3d4c:pidns=4026531836:boot=d53fb5f6-9c4b-4b00-a042-bb8c24cf8ab3
 * A pid means something only within its namespace and its boot: a worker of
 * another container with the same hostname, or of the host before a reboot,
 * must never look dead because its pid is free here.
 */

/** Where this process runs; a part Linux does not give is undefined (then no id can be judged gone). */
export interface ProcessPlace {
  readonly host: string;
  readonly pid: number;
  readonly pidNamespace: string | undefined;
  readonly bootId: string | undefined;
}

const ID = /^(.+):(\d+):([0-9a-f]{8}):pidns=(\d+):boot=([0-9a-f-]{36})$/;

function read(what: () => string, pattern: RegExp): string | undefined {
  try {
    return pattern.exec(what().trim())?.[1];
  } catch {
    return undefined;
  }
}

let here: ProcessPlace | undefined;

/** This process's place (read once). */
export function thisProcess(): ProcessPlace {
  here ??= {
    host: hostname(),
    pid: process.pid,
    pidNamespace: read(() => readlinkSync('/proc/self/ns/pid'), /^pid:\[(\d+)\]$/),
    bootId: read(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'), /^([0-9a-f-]{36})$/),
  };
  return here;
}

/** A new worker id for this process (see above); host:pid:random alone where the namespace or boot cannot be read. */
export function newWorkerId(place: ProcessPlace = thisProcess()): string {
  const base = `${place.host}:${place.pid}:${randomBytes(4).toString('hex')}`;
  return place.pidNamespace === undefined || place.bootId === undefined ? base : `${base}:pidns=${place.pidNamespace}:boot=${place.bootId}`;
}

/** The place a worker id names; undefined for an id without namespace and boot (older, or another format). */
export function placeOf(workerId: string): ProcessPlace | undefined {
  const match = ID.exec(workerId);
  if (match === null) return undefined;
  const [, host, pid, , pidNamespace, bootId] = match;
  return { host: host!, pid: Number(pid), pidNamespace, bootId };
}

/** process.kill(pid, 0): throws ESRCH when no such process, EPERM when it exists but is not ours to signal. */
export type ProbeProcess = (pid: number, signal: 0) => unknown;

/**
 * Whether the worker's process is provably gone: it ran on this host, in
 * this pid namespace, during this boot, is not this process, and signal 0 to
 * its pid says ESRCH (no such process). Anything else (another host, another
 * namespace or boot, an id of another format, EPERM, a pid taken by a new
 * process) is not proof: its leases run out as they always did.
 */
export function isGoneHere(workerId: string, place: ProcessPlace = thisProcess(), probe: ProbeProcess = (pid, signal) => process.kill(pid, signal)): boolean {
  const worker = placeOf(workerId);
  if (worker === undefined || place.pidNamespace === undefined || place.bootId === undefined) return false;
  if (worker.host !== place.host || worker.pidNamespace !== place.pidNamespace || worker.bootId !== place.bootId) return false;
  if (worker.pid === place.pid || worker.pid <= 1 || !Number.isSafeInteger(worker.pid)) return false;
  try {
    probe(worker.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
