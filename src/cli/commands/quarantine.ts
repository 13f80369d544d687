import { InvalidArgumentError, type Command } from 'commander';
import { withConfigOption, type CliContext } from '../context.js';
import { cliActor } from '../io.js';

/**
 * `roster quarantine release <target>`: a target quarantined after repeated
 * failures (`roster status` shows it) waits for an operator; once it works
 * again, this lets its pending changes run. `roster quarantine hold <target>
 * --reason …` puts it there by hand. A running `roster serve` sees either at
 * its next claim (the flag lives in the store).
 */
export function registerQuarantine(program: Command, ctx: CliContext): void {
  const quarantine = program.command('quarantine').description('targets held after repeated failures or by hand (roster status lists them)');

  withConfigOption(quarantine.command('hold'))
    .description('stop changes to a target (maintenance, an apply going wrong): running ones finish, the rest wait for release')
    .argument('<target>', 'target id')
    .requiredOption('--reason <text>', 'why, for the audit log and roster status', reasonText)
    .option('--json', 'print { target, held } as JSON')
    .action(async (target: string, options: { config?: string; reason: string; json?: boolean }) => {
      const reason = options.reason;
      await ctx.withEngine(options.config, async (engine) => {
        const held = await engine.holdQuarantine(target, cliActor(), reason);
        if (options.json) return ctx.json({ target, held });
        ctx.out(held ? `Held ${target}: no change to it starts until \`roster quarantine release ${target}\`.` : `${target} was already in quarantine.`);
      });
    });

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

function reasonText(value: string): string {
  const reason = value.trim();
  if (reason === '') throw new InvalidArgumentError('it must say why');
  return reason;
}
