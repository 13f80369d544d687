import type { Command } from 'commander';
import { RosterError } from '../../core/errors.js';
import type { Engine, ReconcileResult } from '../../engine/types.js';
import { linkAccount } from '../../reconcile/link.js';
import { EXIT_PROBLEMS, withConfigOption, type CliContext } from '../context.js';
import { indent, plural, table } from '../format.js';
import { cliActor } from '../io.js';
import { planSummaryText } from '../plan-format.js';
import { confirmed } from './apply.js';

interface ReconcileCliOptions {
  readonly config?: string;
  readonly target?: string;
  readonly json?: boolean;
  readonly yes?: boolean;
  readonly force?: boolean;
  readonly link?: readonly string[];
}

function reportText(report: ReconcileResult, ctx: CliContext): string {
  const { bold, dim } = ctx.style;
  const lines = [
    `${bold(report.target)}: ${plural(report.accounts, 'account')} read; ${report.linked} already linked, ` +
      `${report.matched.length} newly linked, ${plural(report.orphans.length, 'orphan')}, ${report.disputed.length} disputed, ${report.vanished.length} vanished`,
  ];
  if (report.matched.length > 0) {
    lines.push(indent(table(['LINKED ACCOUNT', 'IDENTITY', 'BY'], report.matched.map((m) => [m.accountId, m.identity, m.rule]))));
  }
  if (report.orphans.length > 0) {
    lines.push(indent(table(['ORPHAN ACCOUNT', 'KEY'], report.orphans.map((o) => [o.accountId, String(o.key ?? '')]))));
  }
  if (report.disputed.length > 0) {
    lines.push(dim(`  disputed accounts are never acted on: fix the data, or link one: roster reconcile --link ${report.target} <identity> <accountId>`));
    lines.push(indent(table(['DISPUTED ACCOUNT', 'KEY', 'CANDIDATES', 'BY'], report.disputed.map((d) => [d.accountId, String(d.key ?? ''), d.candidates.join(', '), d.rule]))));
  }
  for (const v of report.vanished) lines.push(`  vanished: ${v.accountId} (linked to ${v.identity}); the next plan restores what policy wants`);
  return lines.join('\n');
}

/** `--link <target> <identity> <accountId>`: settle a dispute (or claim an orphan) by hand. */
async function linkByHand(engine: Engine, ctx: CliContext, values: readonly string[], json: boolean | undefined): Promise<void> {
  const [targetId, identityId, accountId] = values;
  if (values.length !== 3 || targetId === undefined || identityId === undefined || accountId === undefined) {
    throw new RosterError('request.invalid', '--link takes three values: <target> <identity> <accountId>');
  }
  const target = engine.config.targets.find((t) => t.id === targetId);
  if (!target) throw new RosterError('target.not_found', `no target with id ${targetId}`);
  const link = await linkAccount({ store: engine.store, target, identityId, accountId, actor: cliActor(), now: new Date() });
  if (json) ctx.json(link);
  else ctx.out(`${identityId} is linked to ${accountId} in ${targetId}; the next plan brings the account in line`);
}

export function registerReconcile(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('reconcile'))
    .description('read every account in a target, link the ones that match an identity, report orphans and disputes')
    .option('--target <id>', 'only this target (default: every target)')
    .option('--json', 'print the reports as JSON')
    .option('--yes', 'apply the orphan actions (disable/delete) the target is configured for')
    .option('--force', 'apply orphan actions even when the safety limits hold them')
    .option('--link <values...>', '<target> <identity> <accountId>: link an account the last reconcile found disputed or orphaned to an identity (settles the dispute), and do nothing else')
    .action(async (options: ReconcileCliOptions) => {
      await ctx.withEngine(options.config, async (engine) => {
        if (options.link !== undefined) {
          await linkByHand(engine, ctx, options.link, options.json);
          return;
        }
        const targets = options.target !== undefined ? [options.target] : engine.config.targets.map((t) => t.id);
        const reports: ReconcileResult[] = [];
        for (const target of targets) {
          const report = await engine.reconcile(target, { actor: cliActor(), apply: false });
          let result = report;
          if (report.plan.changes.length > 0 && !options.json) {
            ctx.out(reportText(report, ctx));
            ctx.out(planSummaryText(report.plan, ctx.style));
            if (report.plan.held && !options.force) {
              ctx.err('orphan actions are held by a safety limit; review them, then run again with --force');
            } else if (await confirmed(ctx, options.yes, `Apply ${report.plan.changes.length} orphan changes in ${target}?`)) {
              result = await engine.reconcile(target, { actor: cliActor(), apply: true, force: options.force ?? false });
            }
          } else if (options.yes && report.plan.changes.length > 0) {
            result = await engine.reconcile(target, { actor: cliActor(), apply: true, force: options.force ?? false });
          } else if (!options.json) {
            ctx.out(reportText(report, ctx));
          }
          reports.push(result);
        }
        if (options.json) ctx.json(targets.length === 1 ? reports[0] : reports);
        // The same outcome exits the same way with or without --json: open disputes, or orphan actions held by a safety limit.
        const held = reports.some((r) => r.plan.held && r.plan.changes.length > 0 && !options.force);
        if (held || reports.some((r) => r.disputed.length > 0)) ctx.exitCode = EXIT_PROBLEMS;
      });
    });
}
