import { createInterface } from 'node:readline/promises';
import { userInfo } from 'node:os';
import type { Logger } from '../connectors/types.js';
import type { Engine, EngineMetrics } from '../engine/types.js';

export interface OpenEngineFn {
  (configPath: string, options: { readonly log: Logger; readonly metrics?: EngineMetrics }): Promise<Engine>;
}

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** stdout is a terminal: tables, colour, progress and confirmation prompts (asked on stderr, never with --json). */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly openEngine: OpenEngineFn;
  /** Ask a yes/no question on the terminal (written to stderr: stdout is the command's output). */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Resolves on SIGINT/SIGTERM (serve). */
  readonly waitForShutdown: () => Promise<string>;
}

/**
 * The question goes to stderr, as every message does (README): stdout holds
 * the command's output alone, which a script may read while a person answers.
 */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    openEngine: async (configPath, options) => {
      const { openEngine } = await import('../engine/index.js');
      return openEngine(configPath, options);
    },
    confirm: confirmOnTerminal,
    waitForShutdown: waitForSignal,
  };
}

/** The actor recorded in the audit log for CLI actions: `cli:<os user>`. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}
