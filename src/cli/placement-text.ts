import { formatDn, normaliseDn, parseDn, type Rdn } from '../core/dn.js';

/**
 * A placement move as a plan line shows it: only the part of the two DNs
 * that differs, so the line still says where the entry goes when the plan
 * table cuts it (`ou=Elsewhere → ou=Engineering` for two DNs that share
 * `uid=ann.lee` and `ou=people,dc=example,dc=com`). Either DN not parsing,
 * or nothing in common: both in full. `--json`, `explain` and `reconcile`
 * give both DNs whole.
 */
export function placementText(at: string, belongs: string): string {
  let from: Rdn[];
  let to: Rdn[];
  try {
    from = parseDn(at);
    to = parseDn(belongs);
  } catch {
    return `${at} → ${belongs}`;
  }
  const same = (a: Rdn | undefined, b: Rdn | undefined) => a !== undefined && b !== undefined && normaliseDn(formatDn([a])) === normaliseDn(formatDn([b]));
  let tail = 0;
  while (tail < from.length - 1 && tail < to.length - 1 && same(from[from.length - 1 - tail], to[to.length - 1 - tail])) tail += 1;
  // The leaf RDN, when it stays, is left out too: the entry is the same, only its place differs.
  const head = from.length - tail > 1 && to.length - tail > 1 && same(from[0], to[0]) ? 1 : 0;
  const part = (rdns: Rdn[]) => formatDn(rdns.slice(head, rdns.length - tail));
  if (tail === 0 && head === 0) return `${at} → ${belongs}`;
  return `${part(from)} → ${part(to)}`;
}
