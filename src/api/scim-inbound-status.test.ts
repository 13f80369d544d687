import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../test/support/engine-dir.js';
import type { ScimResource } from '../store/types.js';
import { scimInbound } from './scim-inbound.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const NOW = new Date('2026-11-27T09:00:00.000Z');

/**
 * A SCIM DELETE of a future hire rescinds them whatever the configuration
 * calls a termination: the delete writes the first of
 * lifecycle.terminatedStatuses (before, always "terminated", which a
 * configuration listing other words read as nothing: the end date, before
 * the start, was dropped, and the person stayed a pre-hire).
 */
describe('SCIM inbound DELETE writes a status the configuration reads as terminated', () => {
  const workspace = useEngineDir('scim-status');

  it('a future hire deleted through SCIM is no longer a pre-hire', async () => {
    const engine = await workspace.open(`
store: sqlite:./roster.db
lifecycle: { terminatedStatuses: [gone], prehireLeadDays: 30 }
sources:
  - id: idp
    type: scim
    key: employeeId
    attributes: { employeeId: "${ENTERPRISE}:employeeNumber", startDate: "title" }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes: { username: identity.employeeId }
scim:
  server: { enabled: true, source: idp }
`, { now: () => NOW });
    const hook = scimInbound(engine, 'idp', () => NOW);
    const resource: ScimResource = {
      resourceType: 'User', id: 'u1', version: 1, created: NOW.toISOString(), lastModified: NOW.toISOString(),
      data: { userName: 'ada@example.com', active: true, title: '2026-12-14', [ENTERPRISE]: { employeeNumber: 'E1' } },
    };
    await hook({ kind: 'upsert', resource }, 'test');
    expect(await engine.store.identities.get('E1')).toMatchObject({ state: 'prehire' });
    await hook({ kind: 'delete', id: 'u1' }, 'test');
    const after = await engine.store.identities.get('E1');
    expect(after?.state).not.toBe('prehire');
    expect(['rescinded', 'terminated']).toContain(after?.state);
  });
});
