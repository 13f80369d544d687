/**
 * An audit writer in its own process, for head-mismatch.review8.test.ts:
 * `node --import tsx testing-append-worker.ts <url> <name> <batches>`.
 * Opens the store, prints `ready` and waits for a line on stdin, so that the
 * test can start every writer at the same moment (a process that started
 * late would otherwise write alone). Then appends `batches` batches of two
 * entries and prints the number of head mismatches its appends recorded
 * (JSON) and exits.
 */
import { once } from 'node:events';
import { openStore } from '../store/index.js';
import { onHeadMismatch } from '../store/audit.js';

const [url, name, batches] = process.argv.slice(2);
const count = Number(batches);
if (url === undefined || name === undefined || !Number.isSafeInteger(count)) {
  process.stderr.write('usage: testing-append-worker.ts <url> <name> <batches>\n');
  process.exit(2);
}

const store = await openStore(url);
let mismatches = 0;
onHeadMismatch(store.audit, () => {
  mismatches += 1;
});
// Opening the store has connected and checked the schema, so the writers
// race on appends, not on start-up.
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.pause();
for (let i = 0; i < count; i++) {
  await store.audit.append([
    { kind: 'change.applied', actor: `executor:${name}`, data: { n: i } },
    { kind: 'change.applied', actor: `executor:${name}`, data: { n: i, second: true } },
  ]);
}
await store.close();
process.stdout.write(`${JSON.stringify({ mismatches })}\n`);
