import { UniqueCandidates, type CelVars } from '../cel/index.js';
import type { Explanation, LinkedAccount } from '../core/types.js';
import type { CompiledTarget } from './compile.js';
import type { UniqueIndex } from './unique.js';

const show = (value: unknown): string => JSON.stringify(value) ?? 'null';

/**
 * Evaluate a target's mappings for one identity. A `unique([...])` mapping
 * keeps the value the linked account already has (account names are stable
 * across renames); otherwise it takes the first candidate nobody holds.
 * Throws RosterError('expression.failed') when an expression fails.
 */
export function mapAttributes(
  target: CompiledTarget, identityId: string, vars: CelVars, link: LinkedAccount | undefined,
  unique: UniqueIndex, explanations: Explanation[] | undefined,
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
      const how = chosen !== null && value.candidates.includes(chosen) ? 'the first candidate nobody holds' : 'every candidate is taken, so the first one is numbered';
      explanations?.push({ subject: `attribute:${name}`, rule, detail: `${show(chosen)}: ${how} among ${show(value.candidates)}; mapping \`${source}\`` });
      continue;
    }
    attributes[name] = value;
    if (mapping.claims && typeof value === 'string' && value !== '') unique.claim(targetId, name, value, identityId);
    explanations?.push({ subject: `attribute:${name}`, rule, detail: `${show(value)} from \`${source}\`` });
  }
  return attributes;
}
