import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema } from '../../test/support/pg.js';
import { memoryTargets } from '../connectors/memory/index.js';
import { openEngine } from '../engine/index.js';
import type { Engine } from '../engine/types.js';
import type { ScimResource } from '../store/types.js';
import { scimInbound, scimUserKeyEntry } from './scim-inbound.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const T1 = new Date('2026-11-27T09:00:00.000Z');
const T2 = new Date('2026-11-28T09:00:00.000Z');
const T3 = new Date('2026-11-29T09:00:00.000Z');

function user(active: boolean | string, title = 'Engineer'): ScimResource {
  return {
    resourceType: 'User', id: 'u1', version: 1, created: T1.toISOString(), lastModified: T1.toISOString(),
    data: { userName: 'ada@example.com', active, title, [ENTERPRISE]: { employeeNumber: 'E1' } },
  };
}

/**
 * A deactivation delivered again (Entra and Okta repeat them: a retry, a
 * later PATCH carrying `active: false` with another change, the DELETE that
 * follows a soft delete) must not move the end date of someone already
 * terminated, nor with it the delete grace: as a push terminate delivered
 * twice (SourceRecord.endsOnArrival).
 */
describe.each(['sqlite', 'postgres'] as const)('SCIM inbound: a repeated deactivation keeps the first end date (review7, %s)', (dialect) => {
  let dir: string | undefined;
  let engine: Engine | undefined;
  let drop: (() => Promise<void>) | undefined;
  let clock = T1;
  afterEach(async () => {
    await engine?.close();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
    memoryTargets.clear();
  });

  async function open(): Promise<Engine> {
    clock = T1;
    let store = 'sqlite:./roster.db';
    if (dialect === 'postgres') {
      const schema = await freshSchema('roster_r7_scim');
      store = schema.url;
      drop = schema.drop;
    }
    dir = mkdtempSync(join(tmpdir(), 'roster-review7-'));
    writeFileSync(join(dir, 'roster.yaml'), `
store: ${store}
sources:
  - { id: idp, type: scim, key: employeeId, attributes: { employeeId: "${ENTERPRISE}:employeeNumber" } }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes:
      username: identity.employeeId
    leaver: { disable: immediately, delete: after 30d }
scim:
  server: { enabled: true, source: idp }
`);
    engine = await openEngine(join(dir, 'roster.yaml'), { now: () => clock });
    return engine;
  }

  it('a second active: false carrying another change', async () => {
    const e = await open();
    const hook = scimInbound(e, 'idp', () => clock);
    await hook({ kind: 'upsert', resource: user(true) }, 't');
    await hook({ kind: 'upsert', resource: user('False') }, 't');
    expect(await e.store.identities.get('E1')).toMatchObject({ state: 'terminated', endAt: T1.toISOString() });
    clock = T2;
    await hook({ kind: 'upsert', resource: user(false, 'Retired') }, 't');
    expect(await e.store.identities.get('E1')).toMatchObject({ state: 'terminated', endAt: T1.toISOString(), attributes: { title: 'Retired' } });
  });

  it('a DELETE after active: false', async () => {
    const e = await open();
    const hook = scimInbound(e, 'idp', () => clock);
    await hook({ kind: 'upsert', resource: user(true) }, 't');
    await hook({ kind: 'upsert', resource: user(false) }, 't');
    clock = T2;
    await hook({ kind: 'delete', id: 'u1' }, 't');
    expect(await e.store.identities.get('E1')).toMatchObject({ state: 'terminated', endAt: T1.toISOString() });
  });

  it('a DELETE delivered twice (the first one\'s answer lost after the ingest)', async () => {
    const e = await open();
    const hook = scimInbound(e, 'idp', () => clock);
    await hook({ kind: 'upsert', resource: user(true) }, 't');
    clock = T2;
    await hook({ kind: 'delete', id: 'u1' }, 't');
    expect(await e.store.identities.get('E1')).toMatchObject({ state: 'terminated', endAt: T2.toISOString() });
    await e.store.state.set(scimUserKeyEntry('u1'), 'E1'); // as if the hook had stopped before forgetting the User
    clock = T3;
    await hook({ kind: 'delete', id: 'u1' }, 't');
    expect(await e.store.identities.get('E1')).toMatchObject({ state: 'terminated', endAt: T2.toISOString() });
  });
});
