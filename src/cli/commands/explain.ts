import type { Command } from 'commander';
import type { AuditEntry, DesiredAccount } from '../../core/types.js';
import type { Explain } from '../../engine/types.js';
import { withConfigOption, type CliContext } from '../context.js';
import { indent, table } from '../format.js';

function show(value: unknown): string {
  return value === undefined || value === null ? '∅' : typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * How the account Roster holds for this identity came to be linked, from the
 * identity's audit entries (oldest first): created by a plan, adopted by
 * reconcile (the match rule that found it), or linked by an admin. The last
 * such entry for the target wins (a later link replaces an earlier one).
 */
export function accountOrigin(audit: readonly AuditEntry[], target: string, accountId: string | undefined): string | undefined {
  if (accountId === undefined) return undefined;
  let origin: string | undefined;
  for (const entry of audit) {
    if (entry.target !== target) continue;
    const data = (entry.data ?? {}) as { action?: unknown; accountId?: unknown; rule?: unknown; planId?: unknown };
    if (entry.kind === 'change.applied' && data.action === 'create') {
      origin = `created by Roster on ${entry.at}${typeof data.planId === 'string' ? ` (plan ${data.planId})` : ''}`;
    } else if (entry.kind === 'account.linked' && (data.accountId === undefined || data.accountId === accountId)) {
      origin = entry.reasons?.includes('reconcile.linked_by_admin')
        ? `not created by Roster: linked by ${entry.actor} on ${entry.at} (roster reconcile --link)`
        : `not created by Roster: adopted by reconcile on ${entry.at}${typeof data.rule === 'string' ? `, matched by ${data.rule}` : ''}`;
    }
  }
  return origin;
}

/** Why an entitlement the policy wants has no rule of its own: the account is left as it is (an expression failed, a dispute). */
function keptBecause(desired: DesiredAccount): string {
  const account = desired.explanations.find((e) => e.subject === 'account');
  return account === undefined ? 'kept: no rule was evaluated' : `kept as it is: ${account.detail}`;
}

export function explainText(explain: Explain, ctx: CliContext): string {
  const { bold, dim, green, red } = ctx.style;
  const { identity } = explain;
  const lines: string[] = [
    `${bold(identity.id)} from source ${identity.sourceId}: ${bold(explain.effectiveState)}` +
      (explain.effectiveState !== identity.state ? dim(` (stored as ${identity.state})`) : ''),
  ];
  if (identity.startAt) lines.push(`  starts ${identity.startAt}`);
  if (identity.endAt) lines.push(`  ends   ${identity.endAt}`);
  lines.push('', bold('Timeline'));
  if (explain.timeline.length === 0) lines.push(dim('  (no events)'));
  for (const event of explain.timeline) {
    const changes = event.changes ? ' ' + Object.entries(event.changes).map(([k, c]) => `${k}: ${show(c.before)} → ${show(c.after)}`).join(', ') : '';
    lines.push(`  ${event.effectiveAt}  ${event.kind}${changes}  ${dim(event.reasons.join(', '))}`);
  }
  for (const account of explain.accounts) {
    const { desired, linked } = account;
    lines.push('', bold(`Target ${account.target}`));
    const has = linked ? `${green('present')} as ${linked.accountId}, ${linked.enabled ? green('enabled') : red('disabled')}` : 'no account';
    const wants = desired.present ? `present, ${desired.enabled ? 'enabled' : 'disabled'}` : 'no account';
    lines.push(`  account: ${has}; policy wants ${wants} (${desired.reasons.join(', ') || 'no reason recorded'})`);
    const origin = accountOrigin(explain.audit, account.target, linked?.accountId);
    if (origin !== undefined) lines.push(`  linked: ${origin}`);
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
      const from = rulesFor(`entitlement:${entitlement}`) || (wanted ? keptBecause(desired) : revokedBecause(desired));
      lines.push(`  ${wanted ? '+' : '-'} ${entitlement}${held ? '' : dim(' (not yet granted)')}  ← ${from}`);
    }
    lines.push(...effectiveLines(account.effective, entitlements, ctx));
  }
  return lines.join('\n') + '\n';
}

/** A held entitlement no rule gives: revoked with the account's lifecycle, or because no role grants it. */
function revokedBecause(desired: DesiredAccount): string {
  if (!desired.present) return 'the account is not wanted (see why), so it goes';
  return desired.reasons.includes('leaver.revoke_all')
    ? `revoked with the account (${desired.reasons.join(', ')}; see why)` : 'no rule gives it: it will be revoked';
}

/** Groups the account gets through nesting (read from the target), beyond the ones listed above. */
function effectiveLines(effective: Explain['accounts'][number]['effective'], listed: ReadonlySet<string>, ctx: CliContext): string[] {
  if (effective === undefined) return [];
  if ('error' in effective) return [ctx.style.dim(`  (nested groups could not be read: ${effective.error})`)];
  return effective.entitlements.filter((e) => !listed.has(e)).map((e) => `  ~ ${e}  ← through nested groups (a group this account is in is a member of it)`);
}

export function registerExplain(program: Command, ctx: CliContext): void {
  withConfigOption(program.command('explain'))
    .description('why an identity has (or will have) each account, attribute and entitlement')
    .argument('<id>', 'identity id (the source key)')
    .option('--json', 'print the explanation as JSON')
    .action(async (id: string, options: { config?: string; json?: boolean }) => {
      await ctx.withEngine(options.config, async (engine) => {
        const explain = await engine.explain(id);
        if (options.json) {
          ctx.json({
            ...explain,
            accounts: explain.accounts.map((a) => {
              const origin = accountOrigin(explain.audit, a.target, a.linked?.accountId);
              return origin === undefined ? a : { ...a, origin };
            }),
          });
        }
        else ctx.out(explainText(explain, ctx));
      });
    });
}
