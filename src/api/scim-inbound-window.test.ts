import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import { silentLogger } from '../core/log.js';
import { memoryTargets } from '../connectors/memory/index.js';
import type { ScimResource } from '../store/types.js';
import { scimInbound } from './scim-inbound.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const NOW = new Date('2026-11-27T09:00:00.000Z');

/**
 * SCIM inbound makes one small plan per write, as an HR push does: deletes
 * (terminations) sent one by one are judged over the target's safety window,
 * and past maxDisables the plan is held, the person ingested as terminated.
 */
describe('SCIM inbound deletes over the safety window', () => {
  const workspace = useEngineDir('scim-window');

  it('holds the delete past maxDisables within the window', async () => {
    const engine = await workspace.open(`
store: sqlite:./roster.db
sources:
  - id: idp
    type: scim
    key: employeeId
    attributes: { employeeId: "${ENTERPRISE}:employeeNumber" }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes: { username: identity.employeeId }
    safety: { maxDisables: 2, window: 1h }
scim:
  server: { enabled: true, source: idp }
`, { now: () => NOW, log: silentLogger });
    const hook = scimInbound(engine, 'idp', () => NOW);
    for (let i = 1; i <= 12; i++) {
      const resource: ScimResource = {
        resourceType: 'User', id: `u${i}`, version: 1, created: NOW.toISOString(), lastModified: NOW.toISOString(),
        data: { userName: `p${i}@example.com`, active: true, [ENTERPRISE]: { employeeNumber: `E${i}` } },
      };
      await hook({ kind: 'upsert', resource }, 'test');
    }
    const enabled = (id: string) => memoryTargets.get('app')?.accounts.get(id)?.enabled;
    expect(enabled('E12')).toBe(true);
    await hook({ kind: 'delete', id: 'u1' }, 'test');
    await hook({ kind: 'delete', id: 'u2' }, 'test');
    expect([enabled('E1'), enabled('E2')]).toEqual([false, false]);
    await hook({ kind: 'delete', id: 'u3' }, 'test');
    expect(enabled('E3')).toBe(true);
    expect(await engine.store.identities.get('E3')).toMatchObject({ state: 'terminated' });
    const [latest] = await engine.store.plans.list({ limit: 1 });
    expect(latest).toMatchObject({ held: true, summary: { disable: 1 } });
    expect(latest!.holds.map((h) => [h.code, h.count, h.limit])).toEqual([['safety.max_disables_window', 3, 2]]);
  });
});
