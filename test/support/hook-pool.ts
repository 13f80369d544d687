import { ClientPool, type DirectoryClient } from '../../src/connectors/directory/pool.js';

/** Runs instead of a client write: decides whether and when to `send` it (and may throw). */
export type PoolHook = (op: string, args: readonly unknown[], send: () => Promise<unknown>) => Promise<unknown>;

/**
 * A connection pool whose client writes (modify, modifyDN, add, del) go
 * through `hook` while one is set: for tests that make a real server's
 * write fail, hang or lose its answer at an exact moment.
 */
export class HookPool extends ClientPool {
  hook: PoolHook | undefined;

  override use<T>(work: (client: DirectoryClient) => Promise<T>): Promise<T> {
    return super.use((client) => {
      const hook = this.hook;
      if (hook === undefined) return work(client);
      const proxy = new Proxy(client as object, {
        get: (target, property) => {
          const value = (target as Record<string | symbol, unknown>)[property];
          if (typeof value !== 'function') return value;
          const fn = value as (...args: unknown[]) => unknown;
          if (!['modify', 'modifyDN', 'add', 'del'].includes(String(property))) return fn.bind(target);
          return (...args: unknown[]) => hook(String(property), args, async () => fn.apply(target, args));
        },
      });
      return work(proxy as DirectoryClient);
    });
  }
}
