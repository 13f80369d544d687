import type { Command } from 'commander';
import type { SyncResult } from '../../engine/types.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';
import { cliActor } from '../io.js';
import { ingestText, planJson, planSummaryText } from '../plan-format.js';
import { progressReporter } from '../progress.js';
import { confirmed, hasProblems, printResult } from './apply.js';

function syncJson(result: SyncResult) {
  return {
    ingests: result.ingests.map(({ events: _events, affected, ...rest }) => ({ ...rest, affected: affected.length })),
    plan: planJson(result.plan),
    result: result.result ?? null,
  };
}

export function registerSync(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('sync'))
    .description('read every file source, plan and apply in one go')
    .option('--yes', 'do not ask for confirmation')
    .option('--force', 'apply even when safety checks hold the plan')
    .option('--json', 'print the result as JSON (nothing is asked: with --yes only, refused otherwise, exit 2)')
    .action(async (options: { config?: string; yes?: boolean; force?: boolean; json?: boolean }) => {
      if (!(await confirmed(ctx, options.yes, 'Read sources and apply every change?', options.json === true))) return;
      await ctx.withEngine(options.config, async (engine) => {
        // --json: stdout holds the one JSON document and nothing else, on a terminal too.
        const progress = options.json ? { update: () => undefined, done: () => undefined } : progressReporter(ctx);
        const result = await engine.sync({ actor: cliActor(), force: options.force ?? false, onProgress: progress.update });
        progress.done();
        if (options.json) {
          ctx.json(syncJson(result));
          if (result.result && hasProblems(result.result)) ctx.exitCode = EXIT_PROBLEMS;
          return;
        }
        for (const ingest of result.ingests) ctx.out(ingestText(ingest, ctx.style));
        ctx.out(planSummaryText(result.plan, ctx.style));
        if (result.result) printResult(ctx, result.result);
        else if (result.plan.held) ctx.exitCode = EXIT_PROBLEMS;
      });
    });
}
