/**
 * A process that opens (and so migrates) stores for the upgrade test, which
 * keeps two of these running and has both open the same old store at once.
 * Reads one store URL per line on stdin; for each, opens the store, closes
 * it, and answers `opened` (or `failed <message>`) on a line of its own. One
 * process serves every level: starting one per open cost more than the
 * migrations it ran.
 */
import { createInterface } from 'node:readline';
import { openStore } from '../../src/store/index.js';

for await (const url of createInterface({ input: process.stdin })) {
  try {
    const store = await openStore(url);
    await store.close();
    process.stdout.write('opened\n');
  } catch (error) {
    process.stdout.write(`failed ${String(error instanceof Error ? error.stack ?? error.message : error).replace(/\n/g, ' | ')}\n`);
  }
}
