import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatProblem, validateConfigText, type ConfigProblem } from '../../config/load.js';
import { RosterError } from '../../core/errors.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';

async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new RosterError('config.not_found', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
  }
}

/** "file:line:column: warning: path: message" */
function formatWarning(warning: ConfigProblem): string {
  const where = `${warning.file}:${warning.line}:${warning.column}`;
  return warning.path === '' ? `${where}: warning: ${warning.message}` : `${where}: warning: ${warning.path}: ${warning.message}`;
}

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * Problems make the configuration invalid (exit 1); warnings (identity
 * fields no source is known to give) are printed and leave it valid (exit 0).
 */
export function registerValidate(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('validate'))
    .description('check the configuration: schema, references, CEL expressions; warn of identity fields no source gives')
    .option('--json', 'print { valid, problems, warnings } as JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      const file = ctx.configPath(options.config);
      const { config, problems, warnings } = validateConfigText(await readConfigText(file), file, { env: ctx.io.env });
      const valid = problems.length === 0 && config !== undefined;
      if (options.json) ctx.json({ valid, problems, warnings });
      else {
        for (const problem of problems) ctx.out(formatProblem(problem));
        for (const warning of warnings) ctx.out(ctx.style.yellow(formatWarning(warning)));
        const warned = warnings.length === 0 ? '' : `, ${count(warnings.length, 'warning')}`;
        if (valid) {
          ctx.out(`${ctx.style.green('valid')}: ${file} (${count(config.sources.length, 'source')}, ${count(config.targets.length, 'target')}, ${count(config.roles.length, 'role')}${warned})`);
        } else {
          ctx.out(ctx.style.red(`${count(problems.length, 'problem')}${warned} in ${file}`));
        }
      }
      if (!valid) ctx.exitCode = EXIT_PROBLEMS;
    });
}
