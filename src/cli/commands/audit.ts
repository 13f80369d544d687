import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { exportAudit, type AuditExportFormat } from '../../audit/export.js';
import { verifyAudit } from '../../audit/verify.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the tamper-evident audit log');

  withConfigOption(audit.command('verify'))
    .description('recompute the hash chain and name the first bad entry')
    .option('--json', 'print the result as JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const result = await verifyAudit(engine.store);
        if (options.json) ctx.json(result);
        else if (result.ok) ctx.out(ctx.style.green(`intact: ${result.entries} entries`));
        else ctx.out(ctx.style.red(`broken at entry ${result.firstBad.seq}: ${result.firstBad.reason} (${result.entries} entries read)`));
        if (!result.ok) ctx.exitCode = EXIT_PROBLEMS;
      });
    });

  withConfigOption(audit.command('export'))
    .description('stream the audit log as JSON Lines or CSV')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (options: { config?: string; format: AuditExportFormat; out?: string }) => {
      await ctx.withEngine(options.config, async (engine) => {
        if (options.out === undefined) {
          await exportAudit(engine.store, options.format, ctx.io.stdout);
          return;
        }
        const file = resolve(ctx.io.cwd, options.out);
        const stream = createWriteStream(file, { encoding: 'utf8' });
        const count = await exportAudit(engine.store, options.format, stream);
        stream.end();
        await once(stream, 'finish');
        ctx.err(`Exported ${count} entries to ${file}`);
      });
    });
}
