import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatProblem, validateConfigText } from '../../config/load.js';
import { RosterError } from '../../core/errors.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';

async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new RosterError('config.not_found', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}

export function registerValidate(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('validate'))
    .description('check the configuration: schema, references, CEL expressions')
    .option('--json', 'print { valid, problems } as JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      const file = ctx.configPath(options.config);
      const { config, problems } = validateConfigText(await readConfigText(file), file, { env: ctx.io.env });
      const valid = problems.length === 0 && config !== undefined;
      if (options.json) ctx.json({ valid, problems });
      else if (valid) {
        ctx.out(`${ctx.style.green('valid')}: ${file} (${config.sources.length} sources, ${config.targets.length} targets, ${config.roles.length} roles)`);
      } else {
        for (const problem of problems) ctx.out(formatProblem(problem));
        ctx.out(ctx.style.red(`${problems.length === 1 ? '1 problem' : `${problems.length} problems`} in ${file}`));
      }
      if (!valid) ctx.exitCode = EXIT_PROBLEMS;
    });
}
