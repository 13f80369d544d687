import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../../test/support/engine-dir.js';
import { memoryTargets } from '../../connectors/memory/index.js';
import { silentLogger } from '../../core/log.js';
import { CliContext } from '../context.js';
import { capturedIo } from '../testing.js';
import { printResult } from './apply.js';

/**
 * Review 21: an apply whose create fails for good takes with it the changes
 * a later plan queued behind that create (executor/dependents.ts). Those
 * were never run, and their plan is not an earlier one: `roster apply` said
 * "Also ran changes queued by earlier plan: Plan …: 0 applied, 1 failed".
 * It now says they were not attempted, and why; --json has `notAttempted`.
 */
const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId.lowerAscii() }
roles:
  - { id: eng, when: identity.department == "Engineering", grants: { app: [engineers] } }
`;

describe('review21: a later plan\'s changes not attempted behind this apply\'s failed create', () => {
  const dir = useEngineDir('r21-later-na');

  it('are said as not attempted, not as run by an earlier plan', async () => {
    const engine = await dir.open(yaml, { files: { 'employees.csv': 'employeeId,department\nE1,Sales\n' }, log: silentLogger });
    await engine.readSource('hr', 't');
    const first = await engine.plan({ actor: 't' });
    const memory = memoryTargets.get('app')!;
    memory.rejectNext(1, { operations: ['create'], message: 'insufficient access to add e1 (LDAP 50)' });
    // The create waits at the target until the later plan is queued behind it.
    let started!: () => void;
    let release!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = memory.run.bind(memory);
    memory.run = (async (operation, body) => {
      if (operation === 'create') {
        started();
        await gate;
      }
      return run(operation, body);
    }) as typeof memory.run;

    const applying = engine.apply(first, { actor: 't' });
    await inFlight;
    const queueLater = async () => {
      dir.write('employees.csv', 'employeeId,department\nE1,Engineering\n');
      await engine.readSource('hr', 't');
      const plan = await engine.plan({ actor: 't' });
      await engine.apply(plan, { actor: 't', background: true });
      return plan;
    };
    const later = await queueLater().finally(release);
    // Planned on top of the queued create (left out as already queued): the grant the move to Engineering brings.
    expect(later.changes.map((c) => c.id)).toEqual(['app:E1:grant:engineers']);
    const result = await applying;

    expect(result).toMatchObject({ planId: first.id, applied: 0, failed: 1, pending: 0 });
    expect(result.released).toEqual([{ planId: later.id, applied: 0, failed: 1, pending: 0, notAttempted: 1 }]);

    const captured = capturedIo();
    const ctx = new CliContext(captured.io);
    printResult(ctx, result);
    const text = captured.stdout();
    expect(text).toContain(`Plan ${first.id}: 0 applied, 1 failed\n  app:E1:create: target.rejected: insufficient access to add e1 (LDAP 50)\n`);
    expect(text).toContain(`Not attempted: 1 change of plan ${later.id}: the create of its account failed for good (never sent to the target)\n`);
    expect(text).not.toContain('Also ran');
    expect(text).not.toContain('earlier plan');
    expect(ctx.exitCode).toBe(1);
  });
});
