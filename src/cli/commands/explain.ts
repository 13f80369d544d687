import type { Command } from 'commander';
import type { DesiredAccount, LinkedAccount } from '../../core/types.js';
import type { TargetConfig } from '../../config/types.js';
import { entitlementKey } from '../../planner/normalise.js';
import { enforcesPlacement, placementMove } from '../../planner/placement.js';
import { ENTITLEMENTS_AT_START, NOT_GRANTED, ROLE_REMOVED } from '../../policy/reasons.js';
import type { Explain } from '../../engine/types.js';
import { effectiveTime } from '../../engine/timeline.js';
import { withConfigOption, type CliContext } from '../context.js';
import { indent, table } from '../format.js';

/** A value as explain prints it: ∅ for none, `""` for an empty one (a manager cleared), not a blank after the arrow. */
function show(value: unknown): string {
  if (value === undefined || value === null) return '∅';
  if (value === '') return '""';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Why an entitlement the policy wants has no rule of its own: the account is left as it is (an expression failed, a dispute). */
function keptBecause(desired: DesiredAccount): string {
  const account = desired.explanations.find((e) => e.subject === 'account');
  return account === undefined ? 'kept: no rule was evaluated' : `kept as it is: ${account.detail}`;
}

/**
 * `targets`: the configuration's, to say what the next plan does with a
 * placement reconcile recorded (planner/placement.ts decides); without them,
 * as a plan built without its target would, the record is trusted.
 */
export function explainText(explain: Explain, ctx: CliContext, targets?: readonly TargetConfig[]): string {
  const { bold, dim, green, red } = ctx.style;
  const { identity } = explain;
  const lines: string[] = [
    `${bold(identity.id)} from source ${identity.sourceId}: ${bold(explain.effectiveState)}` +
      (explain.effectiveState !== identity.state ? dim(` (stored as ${identity.state})`) : ''),
  ];
  lines.push(...keyLines(explain));
  if (identity.startAt) lines.push(`  starts ${identity.startAt}`);
  if (identity.endAt) lines.push(`  ends   ${identity.endAt}`);
  lines.push('', bold('Timeline'));
  if (explain.timeline.length === 0) lines.push(dim('  (no events)'));
  // In the order the events take effect (engine/timeline.ts), each at its effective time: a joiner at its start date,
  // a future-dated leaver at its end date; when that is not when Roster recorded it, that is said too.
  for (const event of explain.timeline) {
    const changes = event.changes ? ' ' + Object.entries(event.changes).map(([k, c]) => `${k}: ${show(c.before)} → ${show(c.after)}`).join(', ') : '';
    const at = effectiveTime(event);
    const recorded = at === event.recordedAt ? '' : dim(`  (recorded ${event.recordedAt})`);
    lines.push(`  ${at}  ${event.kind}${changes}  ${dim(event.reasons.join(', '))}${recorded}`);
  }
  for (const account of explain.accounts) {
    const { desired, linked } = account;
    lines.push('', bold(`Target ${account.target}`));
    const has = linked ? `${green('present')} as ${linked.accountId}, ${linked.enabled ? green('enabled') : red('disabled')}` : 'no account';
    const wants = desired.present ? `present, ${desired.enabled ? 'enabled' : 'disabled'}` : 'no account';
    lines.push(`  account: ${has}; policy wants ${wants} (${desired.reasons.join(', ') || 'no reason recorded'})`);
    // The engine works the origin out (engine/account-origin.ts), for this and GET /api/v1/identities/{id} alike.
    if (account.origin !== undefined) lines.push(`  linked: ${account.origin}`);
    const placement = placementLine(desired, linked, targets?.find((t) => t.id === account.target));
    if (placement !== undefined) lines.push(`  ${placement}`);
    for (const why of desired.explanations.filter((e) => e.subject === 'account' || e.subject === 'state')) {
      lines.push(`  ${why.subject === 'account' ? 'why' : 'state'}: ${why.rule}: ${why.detail}`);
    }
    const rulesFor = (subject: string) => desired.explanations.filter((e) => e.subject === subject).map((e) => `${e.rule}: ${e.detail}`).join('; ');
    const attributes = Object.entries(desired.attributes).map(([name, value]) => [name, show(value), show(linked?.attributes[name]), rulesFor(`attribute:${name}`)]);
    if (attributes.length > 0) lines.push(indent(table(['ATTRIBUTE', 'WANTED', 'CURRENT', 'RULE'], attributes)));
    const entitlements = new Set([...desired.entitlements, ...(linked?.entitlements ?? [])]);
    for (const entitlement of [...entitlements].sort()) {
      const wanted = desired.entitlements.includes(entitlement);
      const held = linked?.entitlements.includes(entitlement) ?? false;
      const from = rulesFor(`entitlement:${entitlement}`) || (wanted ? keptBecause(desired) : revokedBecause(desired, linked, entitlement));
      lines.push(`  ${wanted ? '+' : '-'} ${entitlement}${held ? '' : dim(' (not yet granted)')}  ← ${from}`);
    }
    if (desired.present && desired.reasons.includes(ENTITLEMENTS_AT_START)) {
      lines.push(`  no entitlements until the start day (lifecycle.prehireEntitlements: false): the roles' grants come with the enable (${ENTITLEMENTS_AT_START})`);
    }
    lines.push(...effectiveLines(account.effective, entitlements, ctx));
  }
  lines.push(...auditLines(explain.audit, ctx));
  return lines.join('\n') + '\n';
}

/**
 * Where reconcile found the account, and what the next plan does about it as
 * the planner decides (planner/placement.ts): moves it back; puts it in place
 * with its enable or disable (a disable by move); deletes it; or nothing, the
 * target switched to `users.placement: keep` since (the record stays on the
 * link until the next pass, which finds nothing misplaced).
 */
function placementLine(desired: DesiredAccount, linked: LinkedAccount | undefined, target: TargetConfig | undefined): string | undefined {
  const placement = linked?.placement;
  if (linked === undefined || placement === undefined) return undefined;
  const found = `placement: at ${placement.at}, placed at ${placement.belongs} (placement.drift, found by reconcile)`;
  if (!enforcesPlacement(target)) return `${found}: not acted on: ${target?.id ?? 'the target'} no longer enforces placement (users.placement: keep), so no plan moves it; the next reconcile drops this record`;
  if (!desired.present) return `${found}: the next plan deletes the account, it does not move it`;
  if (placementMove(desired, linked, target) === undefined) return `${found}: the next plan's ${desired.enabled ? 'enable' : 'disable'} puts it in place`;
  return `${found}: the next plan moves it back`;
}

/** An identity continued under a new key (fields.previousKey): its current key and the former ones it continues. */
function keyLines(explain: Explain): string[] {
  const { keys, identity } = explain;
  if (keys === undefined || keys.length === 0) return [];
  const current = keys.find((k) => k.current)?.key ?? identity.id;
  const former = keys.filter((k) => !k.current && k.key !== current).map((k) => plain(k.key));
  return [`  key ${plain(current)} continues ${former.join(', ')} (rehired under a new key; the identity keeps its id ${plain(identity.id)})`];
}

/** Stored text with its control characters (a terminal's escapes among them) shown as U+FFFD. */
function plain(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
}

/** How many of the identity's newest audit entries the text shows (--json has all the engine gives: the newest 200). */
const AUDIT_LINES = 10;

/** The identity's newest audit entries, oldest first (the newest last, as the timeline and `--json`). */
function auditLines(audit: Explain['audit'], ctx: CliContext): string[] {
  const { bold, dim } = ctx.style;
  const shown = audit.slice(-AUDIT_LINES);
  const lines = ['', bold('Recent audit') + dim(shown.length < audit.length ? ` (the newest ${shown.length}, newest last; --json: the newest ${audit.length})` : ' (newest last)')];
  if (shown.length === 0) lines.push(dim('  (no entries)'));
  for (const entry of shown) {
    const where = entry.target === undefined ? '' : ` ${plain(entry.target)}`;
    const reasons = entry.reasons === undefined || entry.reasons.length === 0 ? '' : `  ${dim(plain(entry.reasons.join(', ')))}`;
    lines.push(`  #${entry.seq} ${plain(entry.at)}  ${plain(entry.kind)}${where}  by ${plain(entry.actor)}${reasons}`);
  }
  return lines;
}

/**
 * A held entitlement no rule gives: revoked with the account's lifecycle (a
 * leaver, a pre-hire before the start), or because no role grants it — one
 * Roster granted (role.removed) or one it never did (entitlement.not_granted).
 */
function revokedBecause(desired: DesiredAccount, linked: LinkedAccount | undefined, entitlement: string): string {
  if (!desired.present) return 'the account is not wanted (see why), so it goes';
  if (desired.reasons.includes('leaver.revoke_all') || desired.reasons.includes(ENTITLEMENTS_AT_START)) {
    return `revoked with the account (${desired.reasons.join(', ')}; see why)`;
  }
  const key = entitlementKey(entitlement);
  return linked?.notGranted?.some((e) => entitlementKey(e) === key) === true
    ? `no rule gives it: it will be revoked; not granted by any role (added in the target, not by Roster), Roster manages this group (${NOT_GRANTED})`
    : `no rule gives it: it will be revoked (${ROLE_REMOVED})`;
}

/** Groups the account gets through nesting or its primary group (read from the target), beyond the ones listed above. */
function effectiveLines(effective: Explain['accounts'][number]['effective'], listed: ReadonlySet<string>, ctx: CliContext): string[] {
  if (effective === undefined) return [];
  if ('error' in effective) return [ctx.style.dim(`  (nested groups could not be read: ${effective.error})`)];
  return effective.entitlements.filter((e) => !listed.has(e)).map((e) => `  ~ ${e}  ← through nested groups or the primary group (not a direct membership)`);
}

export function registerExplain(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('explain'))
    .description('why an identity has (or will have) each account, attribute and entitlement')
    .argument('<id>', 'identity id (the source key), or a key it was continued under (fields.previousKey)')
    .option('--json', 'print the explanation as JSON (audit: the identity\'s newest 200 entries, oldest first)')
    .action(async (id: string, options: { config?: string; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const explain = await engine.explain(id);
        if (options.json) ctx.json(explain);
        else ctx.out(explainText(explain, ctx, engine.config.targets));
      });
    });
}
