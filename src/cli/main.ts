import { Command, CommanderError } from 'commander';
import { formatProblem, type ConfigProblem } from '../config/problems.js';
import { isRosterError } from '../core/errors.js';
import { registerApply } from './commands/apply.js';
import { registerAudit } from './commands/audit.js';
import { registerDemo } from './commands/demo.js';
import { registerExplain } from './commands/explain.js';
import { registerInit } from './commands/init.js';
import { registerPlan } from './commands/plan.js';
import { registerQuarantine } from './commands/quarantine.js';
import { registerQueue } from './commands/queue.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerSync } from './commands/sync.js';
import { registerToken } from './commands/token.js';
import { registerValidate } from './commands/validate.js';
import { CliContext, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, isBrokenPipe } from './context.js';
import { processIo, type CliIo } from './io.js';

function buildProgram(ctx: CliContext): Command {
  const program = new Command('roster')
    .description('Roster: automated user provisioning (HR → identities → policy → plan → apply)')
    .version('0.1.0')
    // Subcommands inherit these two (commander copies them on .command()).
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    });
  for (const register of [
    registerInit, registerValidate, registerPlan, registerApply, registerSync, registerExplain,
    registerReconcile, registerServe, registerAudit, registerToken, registerStatus, registerQuarantine, registerQueue, registerDemo,
  ]) register(program, ctx);
  return program;
}

/** Prints a RosterError for a person: config problems one per line, then the message (without repeating them). */
function reportError(ctx: CliContext, error: unknown): number {
  if (isBrokenPipe(error)) return EXIT_OK;
  if (isRosterError(error)) {
    const problems = error.details?.problems;
    let message = error.message;
    if (Array.isArray(problems) && problems.length > 0) {
      for (const p of problems as Partial<ConfigProblem>[]) {
        ctx.err(formatProblem({ file: p.file ?? '', line: p.line ?? 0, column: p.column ?? 0, path: p.path ?? '', message: p.message ?? '' }));
      }
      message = message.split('\n', 1)[0]!; // the rest lists the problems just printed
    }
    ctx.err(ctx.style.red(`error: ${message}`) + ctx.style.dim(` (${error.code})`));
    return EXIT_PROBLEMS;
  }
  ctx.err(ctx.style.red(`error: ${error instanceof Error ? error.message : String(error)}`));
  if (error instanceof Error && error.stack && ctx.io.env.ROSTER_DEBUG) ctx.err(error.stack);
  return EXIT_PROBLEMS;
}

/** Runs one command line (argv as process.argv: node, script, args…) and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx = new CliContext(io);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv]);
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE; // --help and --version exit 0
    }
    return reportError(ctx, error);
  }
}

/** The `roster` executable (bin/roster.mjs). */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv);
}
