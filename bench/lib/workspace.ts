import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { toCsv, type Person } from '../../src/demo/index.js';

/** A temporary directory holding one benchmark's HR file, configuration and databases. */
export interface Workspace {
  readonly dir: string;
  readonly configPath: string;
  remove(): Promise<void>;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Write employees.csv and roster.yaml (the given config object) into a fresh temp dir. */
export async function createWorkspace(prefix: string, people: readonly Person[], config: Readonly<Record<string, unknown>>): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), `roster-bench-${prefix}-`));
  const configPath = join(dir, 'roster.yaml');
  await writeFile(join(dir, 'employees.csv'), toCsv(people));
  await writeFile(configPath, stringify(config, { lineWidth: 0 }));
  return { dir, configPath, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The demo configuration (examples/demo/roster.yaml) as plain data. */
export async function readDemoConfig(): Promise<Record<string, unknown>> {
  const text = await readFile(join(repoRoot, 'examples', 'demo', 'roster.yaml'), 'utf8');
  return parse(text) as Record<string, unknown>;
}

/** The demo's username mapping: given.family, initial+family, then the e-mail's local part. */
export async function demoUsernameExpression(): Promise<string> {
  const config = await readDemoConfig() as { targets: { attributes: { username: string } }[] };
  const expression = config.targets[0]?.attributes.username;
  if (!expression) throw new Error('examples/demo/roster.yaml has no username mapping');
  return expression;
}
