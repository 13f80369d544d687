import type { Command } from 'commander';
import { isRosterError } from '../../core/errors.js';
import type { Engine, ReconcileResult } from '../../engine/types.js';
import { mayApplyOrphanPlan, unforceableHolds } from '../../reconcile/holds.js';
import { linkAccount } from '../../reconcile/link.js';
import { SOURCE_PROBLEMS } from '../../reconcile/source-problems.js';
import { EXIT_USAGE, withConfigOption, type CliContext } from '../context.js';
import { indent, plural, table } from '../format.js';
import { cliActor } from '../io.js';
import { planSummaryText } from '../plan-format.js';
import { confirmed, printResult } from './apply.js';
import { requireSecrets, targets as targetOwners } from '../../engine/missing-secrets.js';

interface ReconcileCliOptions {
  readonly config?: string;
  readonly target?: string;
  readonly json?: boolean;
  readonly yes?: boolean;
  readonly force?: boolean;
  readonly removeVanished?: boolean;
  readonly link?: readonly string[];
}

function reportText(report: ReconcileResult, ctx: CliContext, action: string): string {
  const { bold, dim } = ctx.style;
  const lines = [
    `${bold(report.target)}: ${plural(report.accounts, 'account')} read; ${report.linked} already linked, ` +
      `${report.matched.length} newly linked, ${plural(report.orphans.length, 'orphan')}, ${report.disputed.length} disputed, ${report.vanished.length} vanished`,
  ];
  if (report.matched.length > 0) {
    lines.push(indent(table(['LINKED ACCOUNT', 'IDENTITY', 'BY'], report.matched.map((m) => [m.accountId, m.identity, m.rule]))));
  }
  if (report.orphans.length > 0) {
    lines.push(indent(table(['ORPHAN ACCOUNT', 'KEY', 'STATE'], report.orphans.map((o) => [o.accountId, String(o.key ?? ''), o.disabled ? 'disabled' : 'enabled']))));
    // Otherwise the plan's disables look short of the orphans listed: those already disabled need none.
    const disabled = report.orphans.filter((o) => o.disabled).length;
    if (action === 'disable' && disabled > 0) lines.push(dim(`  ${plural(disabled, 'orphan')} already disabled: orphans: disable plans nothing for ${disabled === 1 ? 'it' : 'them'}`));
  }
  if (report.disputed.length > 0) {
    lines.push(dim(`  disputed accounts are never acted on: fix the data, or link one: roster reconcile --link ${report.target} <identity> <accountId>`));
    lines.push(indent(table(['DISPUTED ACCOUNT', 'KEY', 'CANDIDATES', 'BY'], report.disputed.map((d) => [d.accountId, String(d.key ?? ''), d.candidates.join(', '), d.rule]))));
  }
  // Said here, not only in the audit: the next plan's moves would otherwise come as a surprise.
  for (const m of report.misplaced ?? []) {
    lines.push(`  misplaced: ${m.accountId} (linked to ${m.identity}) is at ${m.at}, placed at ${m.belongs}; the next plan moves it back (users.placement: enforce)`);
  }
  for (const v of report.vanished) lines.push(`  vanished: ${v.accountId} (linked to ${v.identity}); the next plan restores what policy wants`);
  if (report.vanishedHeld !== undefined) {
    lines.push(indent(table(['KEPT LINK (NOT READ)', 'IDENTITY'], report.vanishedHeld.links.map((v) => [v.accountId, v.identity]))));
  }
  return lines.join('\n');
}

/**
 * Say what the pass could not do: links kept because the read looks short
 * (removing them would have the next plan create second accounts), match
 * rules that matched nothing because no account carries their attribute, and
 * creates still held because a first read was too small to trust.
 */
function explainProblems(ctx: CliContext, report: ReconcileResult): void {
  for (const warning of report.warnings ?? []) ctx.err(`warning: ${warning}`);
  if (report.createsHeld !== undefined) ctx.err(report.createsHeld);
  if (report.vanishedHeld === undefined) return;
  ctx.err(`${report.vanishedHeld.hold.message}. Nothing was removed and no orphan action is applied; `
    + `if these ${plural(report.vanishedHeld.links.length, 'account')} really were deleted, run again with --remove-vanished`);
}

/**
 * Apply exactly the orphan plan the report showed (and the user confirmed):
 * not a new pass, which could plan something else. The engine refuses it when
 * the store changed since the pass (plan.stale).
 */
async function applyShown(engine: Engine, ctx: CliContext, report: ReconcileResult, force: boolean, json: boolean): Promise<ReconcileResult> {
  try {
    const result = await engine.apply(report.plan, { actor: cliActor(), force });
    if (!json) printResult(ctx, result);
    // The same outcome exits the same way with or without --json (printResult sets it for the text).
    else if (result.failed > 0) ctx.problemFound();
    return { ...report, result };
  } catch (error) {
    if (!isRosterError(error, 'plan.stale')) throw error;
    const now = await engine.store.state.serial();
    ctx.err(`the state changed since this reconcile was made (serial ${report.plan.basis} → ${now}); nothing was applied; run roster reconcile again`);
    ctx.problemFound();
    return report;
  }
}

/** What lifts each hold `--force` does not. */
const LIFTED_BY: Readonly<Record<string, string>> = {
  'safety.vanished': 'lifted by --remove-vanished',
  'reconcile.rule_unread': 'fix the match rule',
  [SOURCE_PROBLEMS]: 'fix the HR rows and read the sources again',
};

/** Why `--force` applied nothing: the holds it does not lift, and what does lift each. */
function forceRefused(report: ReconcileResult): string {
  const why = unforceableHolds(report.plan).map((h) => `${h.message} (${LIFTED_BY[h.code] ?? 'not lifted by --force'})`);
  return `no orphan action was applied in ${report.target}: --force does not lift ${why.length === 1 ? 'this hold' : 'these holds'}: ${why.join('; ')}`;
}

/** Show one target's report and, when asked and not held, apply its orphan plan. */
async function settle(engine: Engine, ctx: CliContext, report: ReconcileResult, options: ReconcileCliOptions): Promise<ReconcileResult> {
  const json = options.json === true;
  const force = options.force === true;
  const changes = report.plan.changes.length;
  const action = engine.config.targets.find((t) => t.id === report.target)?.reconcile?.orphans ?? 'report';
  if (!json) ctx.out(reportText(report, ctx, action));
  explainProblems(ctx, report);
  // No orphan action left to apply, but some were left out as queued already by an earlier pass: say so.
  if (changes === 0 && !json && report.plan.diagnostics.length > 0) ctx.out(planSummaryText(report.plan, ctx.style));
  if (changes === 0) return report;
  if (!json) ctx.out(planSummaryText(report.plan, ctx.style));
  if (!mayApplyOrphanPlan(report.plan, force)) {
    // Held by a short read or an unread rule, --force would not help: say what would.
    if (force || unforceableHolds(report.plan).length > 0) ctx.err(forceRefused(report));
    else if (!json) ctx.err('orphan actions are held by a safety limit; review them, then run again with --force');
    return report;
  }
  // With --json nothing is asked (stdout holds the JSON alone): without --yes the changes are refused as off a terminal, exit 2 (README).
  if (json && options.yes !== true) {
    ctx.err(`refusing to apply ${plural(changes, 'orphan change')} in ${report.target} without confirmation: --json asks nothing; the report lists them (plan); pass --yes`);
    ctx.exitCode = EXIT_USAGE;
    return report;
  }
  if (!(await confirmed(ctx, options.yes, `Apply ${changes} orphan changes in ${report.target}?`))) return report;
  return applyShown(engine, ctx, report, force, json);
}

/**
 * A usage error (README: exit 2, a bad option value): a target id the
 * configuration does not have. Said on stderr; nothing is read.
 */
function usage(ctx: CliContext, code: string, message: string): void {
  ctx.err(ctx.style.red(`error: ${message}`) + ctx.style.dim(` (${code})`));
  ctx.exitCode = EXIT_USAGE;
}

/** Undefined when the configuration has this target; otherwise why not, naming the targets it has. */
function unknownTarget(engine: Engine, targetId: string, option: string): string | undefined {
  if (engine.config.targets.some((t) => t.id === targetId)) return undefined;
  const known = engine.config.targets.map((t) => t.id);
  return `${option}: no target '${targetId}' in the configuration (${known.length === 0 ? 'it has none' : `its targets: ${known.join(', ')}`})`;
}

/** `--link <target> <identity> <accountId>`: settle a dispute (or claim an orphan) by hand. */
async function linkByHand(engine: Engine, ctx: CliContext, values: readonly string[], json: boolean | undefined): Promise<void> {
  const [targetId, identityId, accountId] = values;
  if (values.length !== 3 || targetId === undefined || identityId === undefined || accountId === undefined) {
    usage(ctx, 'request.invalid', `--link takes three values: <target> <identity> <accountId> (got ${values.length})`);
    return;
  }
  const unknown = unknownTarget(engine, targetId, '--link');
  const target = engine.config.targets.find((t) => t.id === targetId);
  if (unknown !== undefined || target === undefined) {
    usage(ctx, 'target.not_found', unknown ?? `no target '${targetId}'`);
    return;
  }
  const link = await linkAccount({ store: engine.store, target, identityId, accountId, actor: cliActor(), now: new Date() });
  if (json) ctx.json(link);
  else ctx.out(`${identityId} is linked to ${link.accountId} in ${targetId}; the next plan brings the account in line`);
}

/** Each target's pass in turn, its report shown (and its orphan plan applied when asked) before the next is read. */
async function reconcileEach(engine: Engine, ctx: CliContext, targets: readonly string[], options: ReconcileCliOptions, reports: ReconcileResult[]): Promise<void> {
  for (const target of targets) {
    const report = await engine.reconcile(target, {
      actor: cliActor(), apply: false, force: options.force ?? false, removeVanished: options.removeVanished ?? false,
    });
    reports.push(await settle(engine, ctx, report, options));
  }
}

export function registerReconcile(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('reconcile'))
    .description('read every account in a target, link the ones that match an identity, report orphans and disputes')
    .option('--target <id>', 'only this target (default: every target)')
    .option('--json', 'print the reports as JSON (nothing is asked: orphan actions are applied with --yes only, refused otherwise, exit 2)')
    .option('--yes', 'apply the orphan actions (disable/delete) the target is configured for')
    .option('--force', 'apply orphan actions held by the safety limits (maxDeletes, maxDisables; not those held by a short read, an unread match rule or HR rows the last read skipped), and accept a first read smaller than safety.minAccounts (a new, empty directory)')
    .option('--remove-vanished', 'remove the links whose account the read did not return even when the read looks short (the next plan creates those accounts again)')
    .option('--link <values...>', '<target> <identity> <accountId>: link an account the last reconcile found disputed or orphaned to an identity (settles the dispute), and do nothing else')
    .action(async (options: ReconcileCliOptions) => {
      await ctx.withEngine(options.config, async (engine) => {
        if (options.link !== undefined) {
          await linkByHand(engine, ctx, options.link, options.json);
          return;
        }
        const unknown = options.target === undefined ? undefined : unknownTarget(engine, options.target, '--target');
        if (unknown !== undefined) {
          usage(ctx, 'target.not_found', unknown);
          return;
        }
        const targets = options.target !== undefined ? [options.target] : engine.config.targets.map((t) => t.id);
        // Every target's secrets before the first is read (engine/missing-secrets.ts); --target X needs X's only.
        if (options.target === undefined) requireSecrets(engine.config, targetOwners(targets), 'cannot reconcile every target (--target X reconciles one)');
        const reports: ReconcileResult[] = [];
        try {
          await reconcileEach(engine, ctx, targets, options, reports);
        } catch (error) {
          // With --json the targets already done (links written, orphan actions applied) are still printed: the error alone would hide them.
          if (options.json && reports.length > 0) ctx.json(reports);
          throw error;
        }
        // --target X: its report; otherwise one per target, even when the configuration has one (a script keeps working when a second is added).
        if (options.json) ctx.json(options.target !== undefined ? reports[0] : reports);
        // The same outcome exits the same way with or without --json: open disputes, links kept from a short read,
        // creates held after a first read too small to trust, or orphan actions held by a safety limit. Exit 1, unless
        // orphan changes were refused for want of --yes: that exit 2 stands (README: the precedence of exit codes).
        const held = reports.some((r) => r.plan.changes.length > 0 && !mayApplyOrphanPlan(r.plan, options.force === true));
        if (held || reports.some((r) => r.disputed.length > 0 || r.vanishedHeld !== undefined || r.createsHeld !== undefined)) ctx.problemFound();
      });
    });
}
