import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const INCLUDE = ['src/**/*.test.ts', 'test/**/*.test.ts'];

/**
 * Test files that replace a module (`vi.mock`): they need modules of their
 * own. Found by reading the files, so a new one cannot be forgotten.
 */
const mocking = ['src', 'test'].flatMap((root) => readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((path) => path.endsWith('.test.ts'))
  .map((path) => `${root}/${path}`)
  .filter((path) => readFileSync(path, 'utf8').includes('vi.mock(')));

/**
 * Every other file shares its worker's modules with the files run before it
 * (isolate: false): importing the engine afresh for each of ~500 files cost
 * as much as running their tests. Tests must therefore leave no state behind
 * them (hooks set, process.env) that another file could trip on; the
 * registries every file may fill are emptied before each (per-file.ts).
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/support/per-file.ts'],
    projects: [
      { extends: true, test: { name: 'shared', include: INCLUDE, exclude: mocking, isolate: false } },
      { extends: true, test: { name: 'isolated', include: mocking.length > 0 ? mocking : ['no-such-file'], isolate: true } },
    ],
  },
});
