import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UNREADABLE_AUDIT_ENTRY } from '../../audit/chain.js';
import { exportAudit, exportAuditToFile, type AuditExportFormat, type AuditExportResult, type UnreadableEntry } from '../../audit/export.js';
import { asHead, formatHead, parseHead, storedHead, type AuditHead } from '../../audit/head.js';
import { acceptMismatches } from '../../audit/accept.js';
import { verifyAudit, type VerifyResult } from '../../audit/verify.js';
import { RosterError, isRosterError, toRosterError } from '../../core/errors.js';
import type { Store } from '../../store/types.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';
import { plural } from '../format.js';
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
    .description('stream the audit log as JSON Lines (lossless, checkable) or CSV (for reading in a spreadsheet)')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--out <file>', 'write to a file instead of stdout (all or nothing: written to a temporary file, renamed when complete)')
    .option('--skip-unreadable', 'export every readable entry and mark each unreadable one in its place (exits 1: not a faithful copy)')
    .action(async (options: { config?: string; format: AuditExportFormat; out?: string; skipUnreadable?: boolean }) => {
      await ctx.withEngine(options.config, (engine) => runExport(ctx, engine.store, options));
    });
}

async function runExport(ctx: CliContext, store: Store, options: { format: AuditExportFormat; out?: string; skipUnreadable?: boolean }): Promise<void> {
  const skipUnreadable = options.skipUnreadable === true;
  const exportOptions = {
    skipUnreadable,
    onUnreadable: (entry: UnreadableEntry) => ctx.err(ctx.style.yellow(`warning: entry ${entry.seq} could not be read (${printable(entry.unreadable)}): exported as a marker`)),
  };
  const file = options.out === undefined ? undefined : resolve(ctx.io.cwd, options.out);
  let result: AuditExportResult;
  try {
    result = file === undefined
      ? await exportAudit(store, options.format, ctx.io.stdout, exportOptions)
      : await exportAuditToFile(store, options.format, file, exportOptions);
  } catch (error) {
    throw exportFailure(error, file, skipUnreadable);
  }
  const where = file === undefined ? '' : ` to ${file}`;
  if (result.unreadable === 0) {
    if (file !== undefined) ctx.err(`Exported ${plural(result.entries, 'entry', 'entries')}${where}`);
    return;
  }
  const unreadable = plural(result.unreadable, 'unreadable entry', 'unreadable entries');
  ctx.err(ctx.style.red(`Exported ${plural(result.entries, 'entry', 'entries')} and ${unreadable}${where}: not a faithful copy of the log (run 'roster audit verify')`));
  ctx.exitCode = EXIT_PROBLEMS;
}

/** The error, saying that nothing was written to the file and, for an unreadable entry, how to export the rest. */
function exportFailure(error: unknown, file: string | undefined, skipUnreadable: boolean): unknown {
  const unreadable = isRosterError(error) && error.details?.reason === UNREADABLE_AUDIT_ENTRY;
  const hint = unreadable && !skipUnreadable ? ' (--skip-unreadable exports the other entries, marking this one)' : '';
  const written = file === undefined ? '' : `; nothing was written to ${file}`;
  if (hint === '' && written === '') return error; // stdout closed early (EPIPE) included: main.ts ends quietly
  const cause = toRosterError(error);
  return new RosterError(cause.code, `${printable(cause.message)}${hint}${written}`, { cause: error, ...(cause.details === undefined ? {} : { details: cause.details }) });
}

/** Text from the log shown on a terminal: control characters (escape sequences) as '?'. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
