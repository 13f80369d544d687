import type { Command } from 'commander';
import { withConfigOption, type CliContext } from '../context.js';
import { cliActor } from '../io.js';

/**
 * `roster quarantine release <target>`: a target quarantined after repeated
 * failures (`roster status` shows it) waits for an operator; once it works
 * again, this lets its pending changes run. A running `roster serve` sees
 * the release at its next claim (the flag lives in the store).
 */
export function registerQuarantine(program: Command, ctx: CliContext): void {
  const quarantine = program.command('quarantine').description('targets held after repeated failures (roster status lists them)');

  withConfigOption(quarantine.command('release'))
    .description('lift a target\'s quarantine: its pending changes run again')
    .argument('<target>', 'target id')
    .option('--json', 'print { target, released } as JSON')
    .action(async (target: string, options: { config?: string; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const released = await engine.releaseQuarantine(target, cliActor());
        if (options.json) return ctx.json({ target, released });
        ctx.out(released ? `Released ${target}: its pending changes run again.` : `${target} was not in quarantine.`);
      });
    });
}
