import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { memoryTargets } from '../../src/connectors/memory/index.js';
import { openEngine, type OpenEngineOptions } from '../../src/engine/index.js';
import type { Engine } from '../../src/engine/types.js';
import { freshSchema } from './pg.js';

/** A test's engine on a roster.yaml in a temporary directory (see useEngineDir). */
export interface EngineDir {
  /** Write `roster.yaml` (and any other `files`, such as an HR CSV) into a fresh directory and open the engine on it. */
  open(yaml: string, options?: OpenEngineOptions & { readonly files?: Readonly<Record<string, string>> }): Promise<Engine>;
  /** Write (or rewrite) a file of the open engine's directory. */
  write(name: string, text: string): void;
  /** The `store:` URL for a dialect: SQLite in the directory, or a fresh PostgreSQL schema dropped after the test. */
  store(dialect: 'sqlite' | 'postgres', schemaPrefix: string): Promise<string>;
}

/**
 * After each test of the file: the engine it opened closed, its PostgreSQL
 * schema (if any) dropped, its directory removed, and the in-memory targets (shared by target id in this process)
 * emptied.
 */
export function useEngineDir(prefix: string): EngineDir {
  let dir: string | undefined;
  let engine: Engine | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    await drop?.();
    drop = undefined;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    memoryTargets.clear();
  });
  const write = (name: string, text: string) => {
    if (dir === undefined) throw new Error('useEngineDir: write() before open()');
    writeFileSync(join(dir, name), text);
  };
  return {
    async open(yaml, { files = {}, ...options } = {}) {
      dir = mkdtempSync(join(tmpdir(), `roster-${prefix}-`));
      for (const [name, text] of Object.entries(files)) write(name, text);
      write('roster.yaml', yaml);
      engine = await openEngine(join(dir, 'roster.yaml'), options);
      return engine;
    },
    write,
    async store(dialect, schemaPrefix) {
      if (dialect === 'sqlite') return 'sqlite:./roster.db';
      const schema = await freshSchema(schemaPrefix);
      drop = schema.drop;
      return schema.url;
    },
  };
}

/**
 * The smallest roster.yaml most API and engine tests need: an HR push source
 * keyed by employeeId and one memory target keyed by username.
 * `attributes`: the target's mappings (default `{ username: identity.employeeId }`);
 * `target`: more YAML lines for the target, indented as its keys (safety, leaver …).
 */
export function pushToMemoryYaml(store: string, options: { readonly attributes?: string; readonly target?: string } = {}): string {
  return `
store: ${store}
sources:
  - { id: hr, type: push, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username }
    accountKey: username
    attributes: ${options.attributes ?? '{ username: identity.employeeId }'}
${options.target === undefined ? '' : `    ${options.target}\n`}`;
}

/**
 * roster.yaml: a CSV source (`./employees.csv`) into one memory target `app`
 * whose operations each take `latencyMs`, run `concurrency` at a time (slow
 * enough to catch an apply part way), with `extra` YAML appended (roles).
 */
export function slowMemoryYaml(store: string, options: { readonly latencyMs: number; readonly concurrency: number; readonly extra?: string }): string {
  return `
store: ${store}
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId }
targets:
  - id: app
    type: memory
    connection: { key: username, latencyMs: ${options.latencyMs} }
    accountKey: username
    attributes: { username: identity.employeeId }
    executor: { concurrency: ${options.concurrency} }
${options.extra ?? ''}`;
}

/** employees.csv of these employee ids (each its own given name), for `files`. */
export function employeesCsv(ids: readonly string[]): Record<string, string> {
  return { 'employees.csv': `employeeId,givenName\n${ids.map((id) => `${id},${id}`).join('\n')}\n` };
}
