import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from './index.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function pageSize(file: string): number {
  const database = new BetterSqlite3(file, { readonly: true });
  try {
    return database.pragma('page_size', { simple: true }) as number;
  } finally {
    database.close();
  }
}

describe('SQLite page size', () => {
  it('makes a new database file with 16 KiB pages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-pages-'));
    dirs.push(dir);
    const store = await openStore(`sqlite:${join(dir, 'roster.db')}`);
    await store.close();
    expect(pageSize(join(dir, 'roster.db'))).toBe(16384);
  });

  it('keeps the page size of an existing database and works with it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-pages-'));
    dirs.push(dir);
    const file = join(dir, 'roster.db');
    const old = new BetterSqlite3(file);
    old.pragma('journal_mode = WAL');
    old.exec('create table earlier (x)');
    old.close();
    const store = await openStore(`sqlite:${file}`);
    try {
      await store.state.set('k', { v: 1 });
      expect(await store.state.get('k')).toEqual({ v: 1 });
    } finally {
      await store.close();
    }
    expect(pageSize(file)).toBe(4096);
  });
});
