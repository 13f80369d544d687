import type { Logger } from '../../connectors/types.js';
import type { MappingRules } from './settings.js';
import type { DirectoryEntry } from './values.js';

/**
 * The mapped directory attributes that no entry of a full pass has. An
 * attribute the bind DN may not read (an ACL) comes back exactly as one the
 * entries do not have: every record then carries "" for it, and every
 * identity loses the value. A full pass cannot tell the two apart, so it
 * says so in the log (once a pass) rather than not at all.
 */
export function attributesNoEntryHas(rules: Pick<MappingRules, 'key' | 'attributes'>, entries: readonly DirectoryEntry[]): string[] {
  if (entries.length === 0) return [];
  const names = new Set(Object.values(rules.attributes).filter((name) => name.toLowerCase() !== 'dn' && name.toLowerCase() !== rules.key.toLowerCase()));
  const missing: string[] = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    if (!entries.some((entry) => (entry.values.get(lower) ?? []).some((value) => value.trim() !== ''))) missing.push(name);
  }
  return missing;
}

/**
 * Logs the attributes of attributesNoEntryHas, with the identity attributes
 * they are mapped to. `timestamps` (an ldap pass by modifyTimestamp): also
 * when no entry has modifyTimestamp, which leaves the pass without a cursor,
 * so that every incremental pass reads in full.
 */
export function warnAttributesNoEntryHas(log: Pick<Logger, 'warn'> | undefined, sourceId: string, rules: Pick<MappingRules, 'key' | 'attributes'>,
  entries: readonly DirectoryEntry[], timestamps = false): void {
  if (log === undefined) return;
  if (timestamps && entries.length > 0 && !entries.some((entry) => (entry.values.get('modifytimestamp')?.length ?? 0) > 0)) {
    log.warn('directory source: no entry of this full pass has modifyTimestamp, so there is no cursor and every incremental pass reads in full; '
      + 'if the bind DN may not read it (an ACL), grant it read access to modifyTimestamp and entryCSN', { source: sourceId, entries: entries.length });
  }
  const missing = attributesNoEntryHas(rules, entries);
  if (missing.length === 0) return;
  const mapped = Object.entries(rules.attributes).filter(([, attribute]) => missing.includes(attribute)).map(([name]) => name);
  log.warn('directory source: no entry of this full pass has these mapped attributes, so they are empty on every record; '
    + 'if the bind DN may not read them (an ACL), grant it read access', { source: sourceId, attributes: missing, identityAttributes: mapped, entries: entries.length });
}
