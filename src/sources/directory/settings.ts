import type { SourceConfig, SourceFields } from '../../config/types.js';
import { RosterError } from '../../core/errors.js';

/** Which people a directory source reads when its `filter` is not set. */
export const DEFAULT_FILTERS = {
  ldap: '(objectClass=inetOrgPerson)',
  ad: '(&(objectClass=user)(objectCategory=person))',
} as const;

/** Status a disabled AD account (userAccountControl bit 2) is given unless `disabledStatus` says otherwise. */
export const DEFAULT_DISABLED_STATUS = 'terminated';

/** A full pass every this many scheduled runs, when the source has no `fullSchedule`. */
export const DEFAULT_FULL_EVERY = 12;

export type DirectoryKind = 'ldap' | 'ad';

/** How entries become records: pure data, shared by the mapping and the reader. */
export interface MappingRules {
  readonly sourceId: string;
  readonly kind: DirectoryKind;
  /** The directory attribute holding the correlation key. */
  readonly key: string;
  /** Identity attribute -> directory attribute (`dn` is the entry's DN). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly fields: SourceFields;
  /** ad: the status of a disabled account. */
  readonly disabledStatus: string;
  /** The lifecycle's time zone (`lifecycle.timezone`): a FILETIME at midnight there is read as the date before (default UTC). */
  readonly timezone?: string;
}

export function isDirectorySource(source: SourceConfig): source is SourceConfig & { readonly type: DirectoryKind } {
  return source.type === 'ldap' || source.type === 'ad';
}

export function mappingRules(source: SourceConfig, timezone = 'UTC'): MappingRules {
  if (!isDirectorySource(source)) {
    throw new RosterError('config.invalid', `source "${source.id}" is not a directory source (type ${source.type})`);
  }
  return {
    sourceId: source.id,
    kind: source.type,
    key: source.key,
    attributes: source.attributes ?? {},
    fields: source.fields,
    disabledStatus: source.disabledStatus ?? DEFAULT_DISABLED_STATUS,
    timezone,
  };
}

/** The attribute naming each entry for good (renames and key changes aside): SourceRecord.entry. */
export function entryIdAttribute(kind: DirectoryKind): 'objectGUID' | 'entryUUID' {
  return kind === 'ad' ? 'objectGUID' : 'entryUUID';
}

/**
 * The directory attributes a pass asks for: the key, the mapped ones, and what the cursor (objectGUID: its GUID -> key
 * map), the disabled flag and the records' entry (entryIdAttribute) need.
 */
export function requestedAttributes(rules: MappingRules): string[] {
  const names = new Set<string>([rules.key, ...Object.values(rules.attributes)]);
  names.delete('dn');
  if (rules.kind === 'ad') names.add('userAccountControl').add('uSNChanged').add('objectGUID');
  else names.add('modifyTimestamp').add('entryCSN').add('entryUUID');
  return [...names];
}
