import { UniqueCandidates, type CelVars } from '../cel/index.js';
import { RosterError } from '../core/errors.js';
import type { Diagnostic, Explanation, LinkedAccount } from '../core/types.js';
import type { CompiledTarget } from './compile.js';
import type { UniqueIndex } from './unique.js';

const show = (value: unknown): string => JSON.stringify(value) ?? 'null';

/** Diagnostic (and reason) code of a value that must be unique in a target and that another account holds. */
export const UNIQUE_CONFLICT = 'unique.conflict';
/** Diagnostic (and reason) code of an account key that came out empty, or not a string or number. */
export const EMPTY_KEY = 'mapping.empty_key';

const usableKey = (value: unknown): boolean => (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';

/**
 * Evaluate a target's mappings for one identity. A `unique([...])` mapping
 * keeps the value the linked account already has (account names are stable
 * across renames); otherwise it takes the first candidate nobody holds.
 * Throws RosterError('expression.failed') when an expression fails.
 *
 * A value that must be unique (the account key) from a plain mapping, not
 * unique([...]), cannot be chosen again when someone else holds it: a new
 * account is not created (throws, details.diagnostic UNIQUE_CONFLICT; a
 * connector would hand it the holder's account), and a linked account keeps
 * the value it has (a diagnostic is pushed).
 */
export function mapAttributes(
  target: CompiledTarget, identityId: string, vars: CelVars, link: LinkedAccount | undefined,
  unique: UniqueIndex, explanations: Explanation[] | undefined, diagnostics?: Diagnostic[],
): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  const targetId = target.config.id;
  for (const mapping of target.mappings) {
    const { name, rule } = mapping;
    const source = mapping.expression.source;
    if (mapping.unique && link !== undefined) {
      const kept = link.attributes[name];
      if (typeof kept === 'string' && kept.trim() !== '') {
        attributes[name] = kept;
        explanations?.push({
          subject: `attribute:${name}`, rule,
          detail: `${show(kept)}: the account's existing value is kept (names stay stable across renames); mapping \`${source}\``,
        });
        continue;
      }
    }
    const value = mapping.expression.evaluate(vars);
    if (value instanceof UniqueCandidates) {
      const chosen = unique.pick(targetId, name, value.candidates, identityId) ?? null;
      attributes[name] = chosen;
      const how = chosen !== null && value.candidates.includes(chosen) ? 'the first candidate nobody holds'
        : chosen !== null && value.candidates.some((c) => c.startsWith(chosen)) ? `the first candidate nobody holds, cut to ${unique.maxLength(targetId, name)} characters`
          : 'every candidate is taken, so the first one is numbered';
      explanations?.push({ subject: `attribute:${name}`, rule, detail: `${show(chosen)}: ${how} among ${show(value.candidates)}; mapping \`${source}\`` });
      continue;
    }
    if (mapping.claims && typeof value === 'string' && value.trim() !== '') {
      // Only a new value is checked (a no-change plan builds no index).
      if ((link === undefined || link.attributes[name] !== value) && unique.taken(targetId, name, value, identityId)) {
        const message = `${name} ${show(value)} from \`${source}\` is already held by another account in ${targetId}`;
        if (link === undefined) {
          throw new RosterError('expression.failed', `${message}: no account is created until it differs`, { details: { diagnostic: UNIQUE_CONFLICT } });
        }
        diagnostics?.push({ severity: 'error', code: UNIQUE_CONFLICT, message: `${message}: the account keeps ${show(link.attributes[name])}`, identity: identityId, target: targetId });
        attributes[name] = link.attributes[name];
        explanations?.push({ subject: `attribute:${name}`, rule, detail: `${show(link.attributes[name])} is kept: ${message}` });
        continue;
      }
      unique.claim(targetId, name, value, identityId);
    }
    attributes[name] = value;
    explanations?.push({ subject: `attribute:${name}`, rule, detail: `${show(value)} from \`${source}\`` });
  }
  const keyName = target.config.accountKey;
  if (keyName in attributes && !usableKey(attributes[keyName]) && (link === undefined || attributes[keyName] !== link.attributes[keyName])) {
    const message = `the account key ${keyName} of ${targetId} came out as ${show(attributes[keyName])}`;
    if (link === undefined) throw new RosterError('expression.failed', `${message}: no account is created`, { details: { diagnostic: EMPTY_KEY } });
    diagnostics?.push({ severity: 'error', code: EMPTY_KEY, message: `${message}: the account keeps ${show(link.attributes[keyName])}`, identity: identityId, target: targetId });
    attributes[keyName] = link.attributes[keyName];
  }
  return attributes;
}
