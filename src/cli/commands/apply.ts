import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { canonicalJson } from '../../audit/chain.js';
import { isRosterError, RosterError } from '../../core/errors.js';
import type { Plan } from '../../core/types.js';
import { ALREADY_QUEUED } from '../../planner/queued.js';
import type { ApplyResult, Engine, IngestResult } from '../../engine/types.js';
import { requireSecrets, sources, targets } from '../../engine/missing-secrets.js';
import { EXIT_PROBLEMS, EXIT_USAGE, withConfigOption, type CliContext } from '../context.js';
import { cliActor } from '../io.js';
import { ingestText, ingestWorthShowing, planJson, planSummaryText } from '../plan-format.js';
import { progressReporter } from '../progress.js';
import { errorLines, failedBreakdown, type ErrorLine } from '../apply-errors.js';

interface ApplyCliOptions {
  readonly config?: string;
  readonly plan?: string;
  readonly yes?: boolean;
  readonly force?: boolean;
  readonly json?: boolean;
}

async function readPlanFile(file: string): Promise<Partial<Plan>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new RosterError('request.invalid', `cannot read the saved plan ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as Partial<Plan>).id !== 'string') {
    throw new RosterError('request.invalid', `${file} is not a plan saved by roster plan --out`);
  }
  return parsed as Partial<Plan>;
}

/**
 * The plan saved with `roster plan --out`, as the store recorded it when it
 * was made (and the audit log's plan.created names): what is applied is
 * always a plan Roster made, never a file edited since, as the API applies
 * plans by id. A file that differs from its stored plan is refused.
 */
export async function loadSavedPlan(store: Engine['store'], file: string): Promise<Plan> {
  const saved = await readPlanFile(file);
  const stored = await store.plans.get(saved.id!);
  if (stored === undefined) {
    throw new RosterError('request.invalid', `${file}: this store has no plan ${saved.id} (was it made with another configuration?); run roster plan again`);
  }
  if (canonicalJson(saved) !== canonicalJson(stored)) {
    throw new RosterError('request.invalid', `${file} is not plan ${saved.id} as roster plan made it: it was edited since; nothing was applied; run roster plan again`);
  }
  return stored;
}

/**
 * Ask before changing anything: a prompt on a terminal, --yes otherwise.
 * With --json nothing is asked, on a terminal too (stdout holds the JSON a
 * script reads, and a script answers no prompt): without --yes the changes
 * are refused, exit 2, as off a terminal (README; reconcile --json alike).
 */
export async function confirmed(ctx: CliContext, yes: boolean | undefined, question: string, json = false): Promise<boolean> {
  if (yes) return true;
  if (json || !ctx.io.isTTY) {
    ctx.err(`refusing to change targets without confirmation: ${json ? '--json asks nothing' : 'stdout is not a terminal'}; pass --yes`);
    ctx.exitCode = EXIT_USAGE;
    return false;
  }
  if (await ctx.io.confirm(question)) return true;
  ctx.out('Cancelled; nothing was changed.');
  return false;
}

export function printResult(ctx: CliContext, result: ApplyResult): void {
  const { green, red, yellow } = ctx.style;
  const lines = errorLines(result.errors);
  const parts = [green(`${result.applied} applied`), (result.failed > 0 ? red : String)(`${result.failed} failed${failedBreakdown(lines)}`)];
  if (result.pending > 0) parts.push(yellow(`${result.pending} pending`));
  if (result.cancelled !== undefined && result.cancelled > 0) parts.push(yellow(`${result.cancelled} cancelled`));
  const released = result.released ?? [];
  const none = result.applied + result.failed + result.pending + (result.cancelled ?? 0) === 0;
  ctx.out(`Plan ${result.planId}: ${none && released.length > 0 ? 'no changes of its own' : parts.join(', ')}`);
  for (const e of lines) ctx.out(red(`  ${e.changeId}: ${e.error}${notAttemptedText(e)}`));
  for (const note of result.leftOut?.notes ?? []) ctx.out(ctx.style.dim(`  info: ${note.target}: ${note.message} (${note.code})`));
  // What else ran: the jobs earlier plans queued (a target released from quarantine), each counted by the plan that queued it.
  // Another plan's jobs failed with a create they needed (executor/dependents.ts: often a later plan's, behind this
  // plan's create) never ran: said apart, not as "ran" nor as "earlier".
  const ran = released.filter((run) => run.applied + run.failed - (run.notAttempted ?? 0) > 0);
  if (ran.length > 0) ctx.out(`Also ran changes queued by earlier ${ran.length === 1 ? 'plan' : 'plans'}:`);
  for (const run of ran) {
    const failed = run.failed - (run.notAttempted ?? 0);
    const counts = [green(`${run.applied} applied`), (failed > 0 ? red : String)(`${failed} failed`), ...(run.pending > 0 ? [yellow(`${run.pending} still pending`)] : [])];
    ctx.out(`  Plan ${run.planId}: ${counts.join(', ')}`);
  }
  for (const run of released) {
    const n = run.notAttempted ?? 0;
    if (n > 0) ctx.out(red(`Not attempted: ${n} ${n === 1 ? 'change' : 'changes'} of plan ${run.planId}: the create of ${n === 1 ? 'its' : 'their'} account failed for good (never sent to the target)`));
  }
  const followUp = result.followUp;
  if (followUp?.error !== undefined) ctx.out(red(`Follow-up plan for the manager references the plan deferred failed: ${followUp.error}; the next plan applied sets them`));
  else if (followUp !== undefined) {
    const counts = followUp.held === true ? [yellow('held by a safety check, not applied; the next plan applied sets them')]
      : [green(`${followUp.applied} applied`), (followUp.failed > 0 ? red : String)(`${followUp.failed} failed`), ...(followUp.pending > 0 ? [yellow(`${followUp.pending} pending`)] : [])];
    ctx.out(`Follow-up plan ${followUp.planId} (the manager references the plan deferred, ${followUp.changes} ${followUp.changes === 1 ? 'update' : 'updates'}): ${counts.join(', ')}`);
    for (const e of errorLines(followUp.errors)) ctx.out(red(`  ${e.changeId}: ${e.error}${notAttemptedText(e)}`));
  }
  for (const q of result.quarantined ?? []) {
    const waits = `${q.pending} ${q.pending === 1 ? 'change waits' : 'changes wait'} for it`;
    ctx.out(q.by === undefined
      ? red(`  ${q.target} is in quarantine since ${q.since}: ${q.reason}; ${waits}: fix the cause, then roster quarantine release ${q.target}`)
      : yellow(`  ${q.target} is held by ${q.by} since ${q.since}: ${q.reason}; ${waits} until roster quarantine release ${q.target}`));
  }
  if (hasProblems(result)) ctx.exitCode = EXIT_PROBLEMS;
}

/** After a create's error: the changes of its account not attempted because of it (all listed in --json's errors). */
function notAttemptedText(line: ErrorLine): string {
  const n = line.notAttempted.length;
  return n === 0 ? '' : `; ${n} later ${n === 1 ? 'change' : 'changes'} of this account not attempted`;
}

/**
 * Whether an apply's outcome exits 1, with or without --json: a change failed
 * (its own, a released plan's or its follow-up's), a target of the plan is
 * quarantined by its failures (one an operator holds is said, as it was asked
 * for), or its follow-up plan is held (as a held plan exits 1).
 */
export function hasProblems(result: ApplyResult): boolean {
  return result.failed > 0 || (result.quarantined ?? []).some((q) => q.by === undefined) || (result.released ?? []).some((run) => run.failed > 0)
    || (result.followUp?.failed ?? 0) > 0 || result.followUp?.held === true || result.followUp?.error !== undefined;
}

/** apply --json: the plan as applied and what ran (its own jobs, and earlier plans' released ones). */
function applyJson(plan: Plan, result: ApplyResult | null, ingests: readonly IngestResult[] = []) {
  return { plan: planJson(plan, ingests), result, released: result?.released ?? [] };
}

/** A stale saved plan gets a message that says what to do. */
export async function explainStale(ctx: CliContext, engine: Engine, plan: Plan, error: unknown): Promise<boolean> {
  if (!isRosterError(error, 'plan.stale')) return false;
  const now = await engine.store.state.serial();
  ctx.err(`the state changed since this plan was made (serial ${plan.basis} → ${now}); run roster plan again`);
  ctx.exitCode = EXIT_PROBLEMS;
  return true;
}

export function registerApply(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('apply'))
    .description('compute a plan (or load a saved one) and apply it')
    .option('--plan <file>', 'apply a plan saved with roster plan --out')
    .option('--yes', 'do not ask for confirmation')
    .option('--force', 'apply even when safety checks hold the plan')
    .option('--json', 'print the plan and the result as JSON (nothing is asked: changes are applied with --yes only, refused otherwise, exit 2)')
    .action(async (options: ApplyCliOptions) => {
      await ctx.withEngine(options.config, async (engine) => {
        const ingests: IngestResult[] = [];
        if (options.plan === undefined) {
          // Like `roster plan`: what is applied is computed from the HR files as they are now. Reading them changes the
          // store, and the plan may change any target: every source's and every target's secrets first, as sync.
          const reads = engine.config.sources.filter((s) => s.type !== 'push').map((s) => s.id);
          requireSecrets(engine.config, [...sources(reads), ...targets(engine.config.targets.map((t) => t.id))],
            'cannot apply (a plan made now may change any target; `roster plan --out FILE` then `roster apply --plan FILE` applies one that leaves it alone)');
          for (const source of engine.config.sources) {
            if (source.type !== 'push') ingests.push(await engine.readSource(source.id, cliActor()));
          }
        }
        const plan = options.plan !== undefined ? await loadSavedPlan(engine.store, resolve(ctx.io.cwd, options.plan)) : await engine.plan({ actor: cliActor() });
        const json = options.json === true;
        // Rows a source skipped are people this plan leaves out: said before the plan, as plan and sync say them.
        if (!json) for (const ingest of ingests) if (ingestWorthShowing(ingest)) ctx.out(ingestText(ingest, ctx.style));
        if (!json) ctx.out(planSummaryText(plan, ctx.style));
        // Nothing new, but changes of earlier plans wait (a target released from quarantine): run them, as sync does.
        const queuedOnly = plan.changes.length === 0 && plan.diagnostics.some((d) => d.code === ALREADY_QUEUED);
        const withdraws = plan.withdrawn?.length ?? 0;
        if (plan.changes.length === 0 && !queuedOnly && withdraws === 0) {
          if (json) ctx.json(applyJson(plan, null, ingests));
          return;
        }
        if (plan.held && !options.force) {
          if (json) ctx.json(applyJson(plan, null, ingests));
          ctx.err('the plan is held by a safety check; review it, then apply with --force to override');
          ctx.exitCode = EXIT_PROBLEMS;
          return;
        }
        const question = `Apply ${plan.changes.length} changes${withdraws === 0 ? '' : ` and withdraw ${withdraws} queued`}?`;
        if ((!queuedOnly || withdraws > 0) && !(await confirmed(ctx, options.yes, question, json))) {
          // --json: the plan that was not applied, as a held one is printed (result null).
          if (json) ctx.json(applyJson(plan, null, ingests));
          return;
        }
        // --json: stdout holds the one JSON document and nothing else.
        const progress = json ? { update: () => undefined, done: () => undefined } : progressReporter(ctx);
        try {
          const result = await engine.apply(plan, { actor: cliActor(), force: options.force ?? false, onProgress: progress.update });
          progress.done();
          if (!json) {
            printResult(ctx, result);
            return;
          }
          const applied = result.leftOut === undefined ? plan : (await engine.store.plans.get(plan.id)) ?? plan;
          ctx.json(applyJson(applied, result, ingests));
          if (hasProblems(result)) ctx.exitCode = EXIT_PROBLEMS;
        } catch (error) {
          progress.done();
          if (!(await explainStale(ctx, engine, plan, error))) throw error;
        }
      });
    });
}
