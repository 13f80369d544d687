import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';

/**
 * A SQLite store on a temp file, plus raw SQL access to the same file so tests
 * can tamper with the audit table the way an attacker with database access would.
 */
export interface TamperableStore {
  readonly store: () => Store;
  /** Close the store, run raw SQL on the file, reopen the store. */
  tamper(statements: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export async function tamperableStore(): Promise<TamperableStore> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-audit-'));
  const file = join(dir, 'roster.db');
  let store = await openStore(`sqlite:${file}`);
  return {
    store: () => store,
    async tamper(statements) {
      await store.close();
      const db = new Database(file);
      try {
        for (const statement of statements) db.exec(statement);
      } finally {
        db.close();
      }
      store = await openStore(`sqlite:${file}`);
    },
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
