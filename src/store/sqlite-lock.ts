/**
 * One write lock per SQLite file per process. better-sqlite3 is synchronous:
 * when two connections of the same process both want the write lock, the
 * waiting one blocks the event loop in its busy handler and the holder can
 * never commit. So writers in one process queue here first; writers in other
 * processes still wait on SQLite's own lock (BEGIN IMMEDIATE, see sqliteWrite).
 */
export type Serialise = <T>(fn: () => Promise<T>) => Promise<T>;

const tails = new Map<string, Promise<unknown>>();

export function writeLockFor(file: string): Serialise {
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const previous = tails.get(file) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(file, tail);
    void tail.then(() => {
      if (tails.get(file) === tail) tails.delete(file);
    });
    return run;
  };
}
