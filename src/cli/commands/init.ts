import { resolve } from 'node:path';
import type { Command } from 'commander';
import { initProject } from '../../config/init.js';
import type { CliContext } from '../context.js';

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('create a starter roster.yaml and a sample HR file in DIR')
    .argument('<dir>', 'project directory (created when missing)')
    .action(async (dir: string) => {
      const target = resolve(ctx.io.cwd, dir);
      const { files } = await initProject(target);
      ctx.out(`Created a Roster project in ${target}:`);
      for (const file of files) ctx.out(`  ${file}`);
      ctx.out(`Next: cd ${dir} && roster validate && roster plan`);
    });
}
