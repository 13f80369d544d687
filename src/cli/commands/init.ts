import { join, resolve } from 'node:path';
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
      // As the README runs them: from here, through npx (`roster` itself is seldom on the PATH).
      const config = shellWord(join(dir, 'roster.yaml'));
      ctx.out(`Next:\n  npx roster validate --config ${config}\n  npx roster plan --config ${config}`);
    });
}

/** A path as one shell word: quoted when it holds anything but plain path characters. */
function shellWord(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
