import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { exportAudit, type AuditExportFormat } from '../../audit/export.js';
import { asHead, formatHead, parseHead, storedHead, type AuditHead } from '../../audit/head.js';
import { verifyAudit } from '../../audit/verify.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';

function headArgument(value: string): AuditHead {
  try {
    return parseHead(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the tamper-evident audit log');

  withConfigOption(audit.command('verify'))
    .description('recompute the hash chain, check its end against the stored head, and name the first bad entry')
    .option('--head <seq:hash>', "also check against a head recorded earlier (printed by 'roster audit head')", headArgument)
    .option('--json', 'print the result as JSON')
    .action(async (options: { config?: string; head?: AuditHead; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const result = await verifyAudit(engine.store, options.head === undefined ? {} : { recordedHead: options.head });
        if (options.json) ctx.json(result);
        else if (result.ok) ctx.out(ctx.style.green(`intact: ${result.entries} entries, head ${formatHead(result.head)}`));
        else ctx.out(ctx.style.red(`broken at entry ${result.firstBad.seq}: ${result.firstBad.reason} (${result.entries} entries read)`));
        if (!result.ok) ctx.exitCode = EXIT_PROBLEMS;
      });
    });

  withConfigOption(audit.command('head'))
    .description('print the chain head (seq:hash of the last entry) to record outside the database')
    .option('--json', 'print the head as JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const head = asHead(await storedHead(engine.store));
        if (head === undefined) {
          ctx.err(ctx.style.red("the chain head is missing or malformed: run 'roster audit verify'"));
          ctx.exitCode = EXIT_PROBLEMS;
        } else if (options.json) {
          ctx.json(head);
        } else {
          ctx.out(formatHead(head));
        }
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
