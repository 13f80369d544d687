import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { openEngine } from '../../engine/index.js';
import type { Engine } from '../../engine/types.js';
import { linkAccount } from '../../reconcile/link.js';
import { reconcileYaml } from '../../reconcile/test-project.js';
import { buildServer } from '../server.js';
import { createToken } from '../tokens.js';

/**
 * GET /api/v1/identities/{id} over a real engine says how each linked
 * account came to be, as `roster explain` does: created by Roster (which
 * plan), adopted by reconcile (which rule), linked by hand. The origin is read
 * from the whole audit history, not only the identity's first entries.
 */
describe('GET /api/v1/identities/:id account origin (review8)', () => {
  let dir: string | undefined;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    memoryTargets.clear();
  });

  const project = (): string => {
    dir = mkdtempSync(join(tmpdir(), 'roster-api-origin-'));
    writeFileSync(join(dir, 'employees.csv'), [
      'employeeId,givenName,familyName,email',
      'E1,Ann,Lee,ann.lee@example.com',
      'E2,Bob,Ray,bob.ray@example.com',
      'E3,Cy,Oh,cy.oh@example.com',
    ].join('\n') + '\n');
    writeFileSync(join(dir, 'roster.yaml'), `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, maxMissing: 50% }
targets:
  - id: app
    type: memory
    connection:
      key: username
      seed:
        - { attributes: { username: "alee", email: "ann.lee@example.com", employeeNumber: "E1" }, enabled: true }
        - { attributes: { username: "cyoh", email: "someone@example.com", employeeNumber: "X9" }, enabled: true }
    accountKey: username
    attributes:
      username: unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii()])
      email: identity.email
      employeeNumber: identity.employeeId
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
${reconcileYaml('employeeNumber', 'report')}`);
    return join(dir, 'roster.yaml');
  };

  it('names the origin of each account: adopted (with the rule), created (with the plan), linked by hand; 404 and 401 as before', async () => {
    engine = await openEngine(project());
    await engine.readSource('hr', 'test');
    // A long history before the link: more entries than the explanation's audit excerpt holds.
    await engine.store.audit.append(Array.from({ length: 250 }, () => ({ kind: 'identity.mover', actor: 'source:hr', identity: 'E1' })));
    expect((await engine.reconcile('app', { actor: 'test' })).matched).toHaveLength(1);
    const target = engine.config.targets.find((t) => t.id === 'app')!;
    await linkAccount({ store: engine.store, target, identityId: 'E3', accountId: 'cyoh', actor: 'alice', now: new Date() });
    await engine.sync({ actor: 'test' });

    const app = await buildServer(engine);
    try {
      const token = (await createToken(engine.store, 'reader', ['api:read'])).token;
      const get = (id: string, auth = true) => app.inject({ method: 'GET', url: `/api/v1/identities/${id}`, headers: auth ? { authorization: `Bearer ${token}` } : {} });

      const adopted = await get('E1');
      expect(adopted.statusCode).toBe(200);
      expect(adopted.json().accounts[0]).toMatchObject({ target: 'app', linked: { accountId: 'alee' } });
      expect(adopted.json().accounts[0].origin).toMatch(/^not created by Roster: adopted by reconcile on \S+, matched by .*employeeNumber/);

      const created = await get('E2');
      expect(created.json().accounts[0].origin).toMatch(/^created by Roster on \S+ \(plan [0-9a-f-]+\)$/);

      const byHand = await get('E3');
      expect(byHand.json().accounts[0].origin).toMatch(/^not created by Roster: linked by alice on \S+ \(roster reconcile --link\)$/);

      expect((await get('E404')).statusCode).toBe(404);
      expect((await get('E1', false)).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
