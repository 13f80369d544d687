import { Command, CommanderError } from 'commander';
import { isRosterError } from '../core/errors.js';
import { registerApply } from './commands/apply.js';
import { registerAudit } from './commands/audit.js';
import { registerDemo } from './commands/demo.js';
import { registerExplain } from './commands/explain.js';
import { registerInit } from './commands/init.js';
import { registerPlan } from './commands/plan.js';
import { registerQuarantine } from './commands/quarantine.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerSync } from './commands/sync.js';
import { registerToken } from './commands/token.js';
import { registerValidate } from './commands/validate.js';
import { CliContext, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE } from './context.js';
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
    registerReconcile, registerServe, registerAudit, registerToken, registerStatus, registerQuarantine, registerDemo,
  ]) register(program, ctx);
  return program;
}

/** Prints a RosterError for a person: the message, and config problems one per line. */
function reportError(ctx: CliContext, error: unknown): number {
  if (isRosterError(error)) {
    const problems = error.details?.problems;
    if (Array.isArray(problems)) {
      for (const p of problems as { file?: string; line?: number; column?: number; path?: string; message?: string }[]) {
        ctx.err(`${p.file ?? ''}:${p.line ?? 0}:${p.column ?? 0}: ${p.path ?? ''}: ${p.message ?? ''}`);
      }
    }
    ctx.err(ctx.style.red(`error: ${error.message}`) + ctx.style.dim(` (${error.code})`));
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
