import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { exportAudit, type AuditExportFormat } from '../../audit/export.js';
import { asHead, formatHead, parseHead, storedHead, type AuditHead } from '../../audit/head.js';
import { acceptMismatches } from '../../audit/accept.js';
import { verifyAudit, type VerifyResult } from '../../audit/verify.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';
import { cliActor } from '../io.js';

function seqArgument(value: string): number {
  if (!/^\d{1,15}$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError(`expected an entry seq (a whole number from 1), got '${value}'`);
  return Number(value);
}

function printVerify(ctx: CliContext, result: VerifyResult): void {
  if ('firstBad' in result) ctx.out(ctx.style.red(`broken at entry ${result.firstBad.seq}: ${result.firstBad.reason} (${result.entries} entries read)`));
  else ctx.out(ctx.style.green(`intact: ${result.entries} entries, head ${formatHead(result.head)}`));
  const mismatches = result.mismatches ?? [];
  if (mismatches.length === 0) return;
  const open = mismatches.filter((m) => m.accepted === undefined);
  const headline = `${mismatches.length === 1 ? '1 head mismatch' : `${mismatches.length} head mismatches`} recorded (${open.length} not accepted):`;
  ctx.out(open.length > 0 ? ctx.style.red(headline) : headline);
  for (const m of mismatches) {
    const accepted = m.accepted === undefined ? '' : ` (accepted by ${m.accepted.actor}, entry ${m.accepted.seq})`;
    ctx.out(`  entry ${m.seq} at ${m.at}: ${m.found}${accepted}`);
  }
  if (open.length > 0) ctx.out(`once investigated, acknowledge with: roster audit verify --accept-through ${open.at(-1)!.seq}`);
}

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
    .description('recompute the hash chain, check its end against the stored head, name the first bad entry, and list the head mismatches recorded')
    .option('--head <seq:hash>', "also check against a head recorded earlier (printed by 'roster audit head')", headArgument)
    .option('--accept-through <seq>', 'acknowledge the head mismatches recorded at or before entry <seq> (recorded in the log as audit.mismatch_accepted, with your name)', seqArgument)
    .option('--json', 'print the result as JSON')
    .action(async (options: { config?: string; head?: AuditHead; acceptThrough?: number; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const verify = () => verifyAudit(engine.store, options.head === undefined ? {} : { recordedHead: options.head });
        let result = await verify();
        if (options.acceptThrough !== undefined) {
          const accepted = await acceptMismatches(engine.store, result, options.acceptThrough, cliActor());
          const [count, which] = accepted.mismatches.length === 1 ? ['1 head mismatch', 'entry'] : [`${accepted.mismatches.length} head mismatches`, 'entries'];
          ctx.err(`accepted ${count} (${which} ${accepted.mismatches.join(', ')}) as ${accepted.actor}: recorded as entry ${accepted.seq}`);
          result = await verify();
        }
        if (options.json) ctx.json(result);
        else printVerify(ctx, result);
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
