/**
 * Writes examples/demo/hr/employees.csv: 200 people, seed 42, as of
 * 2026-11-27. Run with `npx tsx src/demo/write-demo.ts`; the output is
 * committed, and the same inputs always give the same bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toCsv } from './csv.js';
import { generatePeople } from './people.js';

const DEMO_OPTIONS = { count: 200, seed: 42, today: '2026-11-27' } as const;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = join(root, 'examples', 'demo', 'hr', 'employees.csv');
await mkdir(dirname(file), { recursive: true });
await writeFile(file, toCsv(generatePeople(DEMO_OPTIONS)));
process.stdout.write(`wrote ${DEMO_OPTIONS.count} people to ${file}\n`);
