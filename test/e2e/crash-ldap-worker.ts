/**
 * The process crash-ldap.review14.test.ts kills: one `sync` of a project (HR
 * CSV -> OpenLDAP, see the test) through the engine, as `roster sync` runs it.
 * Usage:
 *   node --import tsx test/e2e/crash-ldap-worker.ts <roster.yaml> <clock offset ms>
 * The engine's clock runs `offset` ms ahead of the wall clock, so a run after
 * a kill finds the killed run's leases (60 s) expired, and a leaver's delete
 * grace can pass. Prints `applied N` after each change applied (any plan's:
 * a run after a kill also finishes the killed run's jobs), then the result.
 */
import { createLogger } from '../../src/core/log.js';
import { openEngine } from '../../src/engine/index.js';

async function main(config: string, offset: number): Promise<void> {
  let applied = 0;
  const engine = await openEngine(config, {
    now: () => new Date(Date.now() + offset),
    log: createLogger('error'),
    env: { ...process.env },
    metrics: {
      changesApplied: () => process.stdout.write(`applied ${++applied}\n`),
      changesFailed: () => {},
      cycleDuration: () => {},
    },
  });
  try {
    const result = await engine.sync({ actor: 'crash-ldap' });
    process.stdout.write(`${JSON.stringify({ held: result.plan.held, changes: result.plan.changes.length, result: result.result })}\n`);
  } finally {
    await engine.close();
  }
}

if (process.argv[1]?.endsWith('crash-ldap-worker.ts')) {
  const [config, offset] = process.argv.slice(2);
  if (config === undefined || offset === undefined) throw new Error('usage: crash-ldap-worker.ts <roster.yaml> <clock offset ms>');
  await main(config, Number(offset));
}
