import { InvalidArgumentError, type Command } from 'commander';
import type { CancelResult } from '../../engine/types.js';
import { EXIT_USAGE, withConfigOption, type CliContext } from '../context.js';
import { isStorableText } from '../../core/text.js';
import { cliActor } from '../io.js';

const MAX_REASON = 1_000;

interface CancelCliOptions {
  readonly config?: string;
  readonly plan?: string;
  readonly target?: string;
  readonly reason: string;
  readonly json?: boolean;
}

/**
 * `roster queue cancel --plan <id> | --target <id> --reason …`: throw away
 * queued changes not yet run (the wrong plan applied, a big apply to stop).
 * A group of its own, like `quarantine`: it acts on the queue (what `roster
 * status` counts per target), by plan or by target, and leaves room for more
 * queue commands. A running `roster serve` cancels the changes it leased
 * ahead within a moment (the cancel is recorded in the store).
 */
export function registerQueue(program: Command, ctx: CliContext): void {
  const queue = program.command('queue').description('the queue of changes waiting to be applied (roster status counts it per target)');

  withConfigOption(queue.command('cancel'))
    .description('cancel the changes of a plan (or to a target) that have not started: running ones finish; the next plan computes again what is still needed')
    .option('--plan <id>', 'the plan whose pending changes to cancel (roster plan --json, GET /api/v1/plans)')
    .option('--target <id>', 'the target whose pending changes to cancel (with --plan: only that plan\'s)')
    .requiredOption('--reason <text>', 'why, for the audit log', reasonText)
    .option('--json', 'print { planId, target, cancelled, running } as JSON')
    .action(async (options: CancelCliOptions) => {
      if (options.plan === undefined && options.target === undefined) {
        ctx.err('error: name what to cancel: --plan <id> and/or --target <id>');
        ctx.exitCode = EXIT_USAGE;
        return;
      }
      await ctx.withEngine(options.config, async (engine) => {
        const filter = { ...(options.plan === undefined ? {} : { planId: options.plan }), ...(options.target === undefined ? {} : { target: options.target }) };
        const result = await engine.cancelQueued(filter, cliActor(), options.reason);
        if (options.json) return ctx.json(result);
        ctx.out(cancelText(result));
      });
    });
}

function cancelText(result: CancelResult): string {
  const what = [result.planId === undefined ? '' : `plan ${result.planId}`, result.target === undefined ? '' : `target ${result.target}`]
    .filter((part) => part !== '').join(', ');
  const lines = [result.cancelled === 0 ? `Nothing was pending for ${what}.` : `Cancelled ${result.cancelled} pending change${result.cancelled === 1 ? '' : 's'} of ${what}.`];
  if (result.running > 0) {
    lines.push(`${result.running} leased by a worker: those already running finish; a worker cancels the ones it has not started within a moment.`);
  }
  if (result.cancelled > 0) lines.push('The next plan computes again whatever is still needed.');
  return lines.join('\n');
}

/** As the API takes a reason (api/validate.ts reasonText): it goes into the audit log and the notice every worker reads. */
function reasonText(value: string): string {
  const reason = value.trim();
  if (reason === '') throw new InvalidArgumentError('it must say why');
  if (reason.length > MAX_REASON) throw new InvalidArgumentError(`at most ${MAX_REASON} characters (this one has ${reason.length})`);
  if (!isStorableText(reason)) throw new InvalidArgumentError('must not hold U+0000 or an unpaired surrogate');
  return reason;
}
