import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify.js';
import { openStore } from '../../src/store/index.js';
import { freshSchema } from '../support/pg.js';
import { NA_PEOPLE, naIdentity, naPlans, naRefused } from './crash-not-attempted-worker.js';

/**
 * Review 21 (adversarial): kill -9 around the transaction that fails a create
 * for good with the changes queued behind it (executor/dependents.ts), on a
 * SQLite file store and on PostgreSQL, the target a SQLite database. Killed
 * right after it commits, the dependents are failed with it (never pending for
 * ever, never run later); killed during it, nothing of it stays, and the next
 * process asks the target for the create again and fails both then. Either
 * way: every refused joiner's grants are failed "not attempted", none reaches
 * the target, each change is audited once, the others' changes are applied
 * once, and the audit chain verifies.
 */
const worker = join(import.meta.dirname, 'crash-not-attempted-worker.ts');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function run(storeUrl: string, targetFile: string, mode: 'enqueue' | 'resume', kill: 'after' | 'during' | 'never'): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, storeUrl, targetFile, mode, kill], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, output })));
}

const stores: readonly { readonly name: string; url(dir: string): Promise<{ url: string; drop(): Promise<void> }> }[] = [
  { name: 'sqlite file', url: async (dir) => ({ url: `sqlite:${join(dir, 'store.db')}`, drop: async () => undefined }) },
  { name: 'postgres', url: async () => freshSchema('rq21na') },
];

describe.each(stores)('kill -9 around a create failed for good and its dependents ($name store)', ({ url }) => {
  it.each(['after', 'during'] as const)('killed %s the failure\'s transaction: the dependents end failed with it, once', { timeout: 90_000 }, async (kill) => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-r21-na-crash-'));
    dirs.push(dir);
    const targetFile = join(dir, 'target.db');
    const store = await url(dir);
    try {
      const first = await run(store.url, targetFile, 'enqueue', kill);
      expect(first.signal, first.output).toBe('SIGKILL');
      const last = await run(store.url, targetFile, 'resume', 'never');
      expect(last.code, last.output).toBe(0);

      const opened = await openStore(store.url);
      try {
        const jobs = (await Promise.all(naPlans().map((p) => opened.queue.listByPlan(p.id)))).flat();
        expect(jobs).toHaveLength(NA_PEOPLE * 4);
        for (const job of jobs) {
          const { identity, action, id } = job.change;
          const refusal = `target.rejected: insufficient access to add u.${identity} (LDAP 50)`;
          const expected = !naRefused(identity) ? ['done', undefined]
            : action === 'create' ? ['failed', refusal] : ['failed', `not attempted: the create of u.${identity} on app failed: ${refusal}`];
          expect([id, job.status, job.lastError]).toEqual([id, ...expected]);
        }
        const audited = async (kind: string) => (await opened.audit.list({ kind, limit: 1000 })).map((e) => `${(e.data as { planId: string }).planId}:${(e.data as { changeId: string }).changeId}`).sort();
        const refused = Array.from({ length: NA_PEOPLE }, (_, i) => naIdentity(i)).filter(naRefused);
        expect(await audited('change.failed')).toEqual(refused.map((p) => `na-p1:app:${p}:create`).sort());
        expect(await audited('change.not_attempted')).toEqual(refused.flatMap((p) => [`na-p1:app:${p}:grant:staff`, `na-p1:app:${p}:grant:vpn`, `na-p2:app:${p}:grant:wiki`]).sort());
        const applied = await audited('change.applied');
        expect(applied).toHaveLength(NA_PEOPLE * 4 / 2);
        expect(new Set(applied).size).toBe(applied.length);
        expect(await verifyAudit(opened)).toMatchObject({ ok: true });
      } finally {
        await opened.close();
      }
      const db = new BetterSqlite3(targetFile, { readonly: true });
      const users = (db.prepare('select username from users order by username').all() as { username: string }[]).map((u) => u.username);
      const groups = (db.prepare('select username, group_name from user_groups order by username, group_name').all() as { username: string; group_name: string }[]).map((m) => `${m.username}|${m.group_name}`);
      db.close();
      const accepted = Array.from({ length: NA_PEOPLE }, (_, i) => naIdentity(i)).filter((p) => !naRefused(p)).map((p) => `u.${p}`);
      expect(users).toEqual(accepted);
      expect(groups).toEqual(accepted.flatMap((u) => ['staff', 'vpn', 'wiki'].map((g) => `${u}|${g}`)));
    } finally {
      await store.drop();
    }
  });
});
