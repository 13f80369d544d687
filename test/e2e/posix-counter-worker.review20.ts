/**
 * One of the Roster processes posix-counter-workers.review20.test.ts runs
 * at once: an ldap target (its own connection pool and uidNumber
 * allocator) whose users.posix takes uidNumbers from a counter entry, and
 * that creates `people` posix joiners, 8 at a time. Usage:
 *   node --import tsx test/e2e/posix-counter-worker.review20.ts <slapd url> <suffix> <counter dn> <uid prefix> <people> <start at (epoch ms)>
 * Processes started one after another begin together at `start at`; prints
 * `{"created":N,"failed":N}`.
 */
import type { TargetConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/core/log.js';
import { createConnector } from '../../src/connectors/registry.js';
import { posixTarget } from './posix-uid-worker.review20.js';

export const COUNTER_RANGE = { min: 70000, max: 79999 } as const;

/** The posix target of posix-uid-worker.review20.ts with COUNTER_RANGE and the counter entry at `counterDn`. */
export function counterTarget(url: string, suffix: string, counterDn: string): TargetConfig {
  const target = posixTarget('corp-ldap', url, suffix);
  const connection = target.connection as { users: { posix: Record<string, unknown> } };
  return {
    ...target,
    connection: { ...connection, users: { ...connection.users, posix: { ...connection.users.posix, uidNumber: COUNTER_RANGE, counter: { dn: counterDn } } } },
  };
}

async function main(url: string, suffix: string, counterDn: string, prefix: string, people: number, startAt: number): Promise<void> {
  const connector = createConnector(counterTarget(url, suffix, counterDn), { targetId: 'corp-ldap', baseDir: process.cwd(), log: createLogger('error') });
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  let next = 0;
  let created = 0;
  let failed = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < people) {
      const uid = `${prefix}-${String(next++).padStart(4, '0')}`;
      try {
        await connector.create({ attributes: { uid, cn: uid, sn: uid }, enabled: true });
        created++;
      } catch (error) {
        failed++;
        process.stderr.write(`${uid}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }));
  process.stdout.write(`${JSON.stringify({ created, failed })}\n`);
  await connector.close();
}

if (process.argv[1]?.endsWith('posix-counter-worker.review20.ts')) {
  const [url, suffix, counterDn, prefix, people, startAt] = process.argv.slice(2);
  if (url === undefined || suffix === undefined || counterDn === undefined || prefix === undefined || people === undefined || startAt === undefined) {
    throw new Error('usage: posix-counter-worker.review20.ts <slapd url> <suffix> <counter dn> <uid prefix> <people> <start at (epoch ms)>');
  }
  await main(url, suffix, counterDn, prefix, Number(people), Number(startAt));
}
