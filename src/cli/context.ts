import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from '../connectors/types.js';
import { createLogger, type LogLevel } from '../core/log.js';
import type { Engine, EngineMetrics } from '../engine/types.js';
import { createStyle, type Style } from './format.js';
import type { CliIo } from './io.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

/** stdout closed by its reader (`roster plan | head`): it has what it wanted; nothing to report. */
export function isBrokenPipe(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EPIPE';
}

/**
 * A stream's write errors, which it emits rather than throws: a closed pipe
 * (EPIPE) ends its output quietly, instead of an unhandled 'error' event
 * killing the command with a stack trace. Anything else is thrown as before.
 */
function onBrokenPipe(stream: NodeJS.WritableStream, closed: () => void): void {
  stream.on('error', (error: unknown) => {
    if (!isBrokenPipe(error)) throw error;
    closed();
  });
}

/** What every command gets: output, style, and a way to open (and always close) the engine. */
export class CliContext {
  readonly io: CliIo;
  readonly style: Style;
  readonly log: Logger;
  exitCode = EXIT_OK;
  #stdoutClosed = false;
  #stderrClosed = false;

  constructor(io: CliIo) {
    this.io = io;
    this.style = createStyle(io.isTTY, io.env);
    const level = (io.env.ROSTER_LOG_LEVEL as LogLevel | undefined) ?? 'warn';
    this.log = createLogger(level, (line) => this.err(line));
    onBrokenPipe(io.stdout, () => (this.#stdoutClosed = true));
    onBrokenPipe(io.stderr, () => (this.#stderrClosed = true));
  }

  /**
   * Exit 1 for a problem found (a dispute, a hold, a failed change), unless
   * the run already exits 2 for a change refused for want of --yes: that one
   * stands (README: the precedence of exit codes), as the run did not do what
   * it would have with --yes, and running it again with --yes is the next step.
   */
  problemFound(): void {
    if (this.exitCode !== EXIT_USAGE) this.exitCode = EXIT_PROBLEMS;
  }

  out(text: string): void {
    if (!this.#stdoutClosed) this.io.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  err(text: string): void {
    if (!this.#stderrClosed) this.io.stderr.write(text.endsWith('\n') ? text : text + '\n');
  }

  json(value: unknown): void {
    if (!this.#stdoutClosed) this.io.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  configPath(option: string | undefined): string {
    return resolve(this.io.cwd, option ?? 'roster.yaml');
  }

  async withEngine<T>(config: string | undefined, fn: (engine: Engine) => Promise<T>, metrics?: EngineMetrics): Promise<T> {
    const engine = await this.io.openEngine(this.configPath(config), { log: this.log, ...(metrics ? { metrics } : {}) });
    try {
      return await fn(engine);
    } finally {
      await engine.close();
    }
  }
}

/** Adds the option every engine command takes. */
export function withConfigOption(command: Command): Command {
  return command.option('-c, --config <file>', 'configuration file', 'roster.yaml');
}
