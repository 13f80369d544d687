#!/usr/bin/env node
// `npm run bench -- <name> [--flags]`: runs bench/<name>.ts through tsx's loader
// (no build step, like bin/roster.mjs). Each benchmark prints one JSON object
// as its last line.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench');
const available = readdirSync(benchDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);

if (!name || name === '--help' || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name> [--flags]\nbenchmarks: ${available.join(', ')}\n`);
  process.exit(name && name !== '--help' ? 2 : 0);
}

register();
// The benchmark reads its flags from process.argv after the name.
process.argv = [process.argv[0], join(benchDir, `${name}.ts`), ...rest];
await import(pathToFileURL(join(benchDir, `${name}.ts`)).href);
