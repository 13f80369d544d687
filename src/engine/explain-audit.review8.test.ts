import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { capturedIo } from '../cli/testing.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { silentLogger } from '../core/log.js';
import type { AuditEntry } from '../core/types.js';
import { openEngine } from './index.js';

/** explain (`roster explain`, GET /api/v1/identities/{id}) shows the identity's newest audit entries, oldest first. */
describe('explain: the newest audit entries (review8)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    memoryTargets.clear();
  });

  it('with 250 entries after the sync, shows the newest 200 (the newest last), and the text its newest 10', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-review8-explain-audit-'));
    writeFileSync(join(dir, 'hr.csv'), 'employeeId,givenName,familyName\nE100,Ada,L\nE101,Bob,M\n');
    const config = join(dir, 'roster.yaml');
    writeFileSync(config, `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./hr.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId
`);
    const engine = await openEngine(config, { log: silentLogger });
    try {
      await engine.sync({ actor: 't' });
      // 250 entries of E100, interleaved with E101's.
      for (let n = 0; n < 250; n++) {
        await engine.store.audit.append([
          { kind: 'test.note', actor: `t${n}`, identity: 'E100', data: { n } },
          { kind: 'test.note', actor: 'other', identity: 'E101', data: { n } },
        ]);
      }
      const { audit } = await engine.explain('E100');
      expect(audit).toHaveLength(200);
      expect(audit.every((e) => e.identity === 'E100')).toBe(true);
      expect(audit.map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 200 }, (_, k) => 50 + k));
      const seqs = audit.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    } finally {
      await engine.close();
    }

    const json = capturedIo({ cwd: dir });
    expect(await runCli(['node', 'roster', 'explain', '--config', config, '--json', 'E100'], json.io)).toBe(0);
    const shown = (JSON.parse(json.stdout()) as { audit: AuditEntry[] }).audit;
    expect(shown.map((e) => e.actor).at(-1)).toBe('t249');
    expect(shown[0]?.actor).toBe('t50');

    const text = capturedIo({ cwd: dir });
    expect(await runCli(['node', 'roster', 'explain', '--config', config, 'E100'], text.io)).toBe(0);
    const out = text.stdout();
    expect(out).toContain('Recent audit (the newest 10, newest last; --json: the newest 200)');
    const actors = [...out.matchAll(/test\.note {2}by (t\d+)/g)].map((m) => m[1]);
    expect(actors).toEqual(Array.from({ length: 10 }, (_, k) => `t${240 + k}`));
  });
});
