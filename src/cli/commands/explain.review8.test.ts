import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTargets } from '../../connectors/memory/index.js';
import { openEngine } from '../../engine/index.js';
import { reconcileYaml } from '../../reconcile/test-project.js';
import { runCli } from '../main.js';
import { capturedIo } from '../testing.js';

/**
 * `roster explain` over a real engine: every account says how it came to be
 * linked (created by Roster, or adopted by reconcile and by which rule), why
 * it exists (scope) and in which state, and every entitlement names the rule
 * behind it, including one kept only because an expression failed.
 */
describe('roster explain', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    memoryTargets.clear();
  });

  const hr = (level3: string) => writeFileSync(join(dir!, 'employees.csv'), [
    'employeeId,givenName,familyName,email,department,level',
    'E1,Ann,Lee,ann.lee@example.com,Engineering,1',
    'E2,Bob,Ray,bob.ray@example.com,Sales,1',
    `E3,Cy,Oh,cy.oh@example.com,Sales,${level3}`,
  ].join('\n') + '\n');

  const setup = () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-explain-'));
    hr('5');
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
        - { attributes: { username: "alee", email: "ann.lee@example.com", employeeNumber: "E1" }, enabled: true, entitlements: [legacy] }
    accountKey: username
    scope: identity.department in ["Engineering", "Sales"]
    attributes:
      username: unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii()])
      email: identity.email
      employeeNumber: identity.employeeId
    safety: { maxDeletes: 100%, maxDisables: 100%, maxRevokes: 100%, minAccounts: 0 }
${reconcileYaml('employeeNumber', 'report')}roles:
  - { id: staff, when: "true", grants: { app: [staff] } }
  - { id: eng, when: 'identity.department == "Engineering"', grants: { app: [eng] } }
  - { id: senior, when: 'int(identity.level) > 2', grants: { app: [senior] } }
`);
    return join(dir, 'roster.yaml');
  };

  const explain = async (config: string, ...args: string[]) => {
    const captured = capturedIo({ cwd: dir! });
    const code = await runCli(['node', 'roster', 'explain', '--config', config, ...args], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
  };

  it('says which accounts Roster created and which reconcile adopted, why each exists, and the rule behind every entitlement', async () => {
    const config = setup();
    const engine = await openEngine(config);
    await engine.readSource('hr', 'test');
    expect((await engine.reconcile('app', { actor: 'test' })).matched).toHaveLength(1);
    await engine.sync({ actor: 'test' });
    await engine.close();

    const adopted = await explain(config, 'E1');
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/linked: not created by Roster: adopted by reconcile on \S+, matched by .*employeeNumber/);
    expect(adopted.stdout).toContain('why: scope:app: in scope: `identity.department in ["Engineering", "Sales"]` is true');
    expect(adopted.stdout).toMatch(/state: lifecycle:active: /);
    expect(adopted.stdout).toMatch(/\+ eng\s+← role:eng: role eng: `identity.department == "Engineering"` is true/);
    expect(adopted.stdout).toMatch(/\+ staff\s+← role:staff: birthright role staff: granted to everyone in scope/);

    const created = await explain(config, 'E2');
    expect(created.stdout).toMatch(/linked: created by Roster on \S+ \(plan [0-9a-f-]+\)/);
    const json = JSON.parse((await explain(config, 'E1', '--json')).stdout) as { accounts: { origin?: string }[] };
    expect(json.accounts[0]?.origin).toMatch(/^not created by Roster: adopted by reconcile/);
    expect(JSON.parse((await explain(config, 'E2', '--json')).stdout).accounts[0].origin).toMatch(/^created by Roster/);

    // E3's `senior` condition now fails: the account is left as it is, and explain says why instead of "policy".
    hr('not a number');
    const again = await openEngine(config);
    await again.readSource('hr', 'test');
    await again.close();
    const held = await explain(config, 'E3');
    expect(held.stdout).toMatch(/\+ senior\s+← kept as it is: an expression failed for this identity, the account is left as it is: role senior/);
    expect(held.stdout).not.toMatch(/← policy$/m);
  });
});
