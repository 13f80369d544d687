import { Control } from 'ldapts';

/** LDAP_SERVER_SHOW_DELETED_OID: a search also returns tombstones (deleted objects) the bind may read. */
export const SHOW_DELETED_OID = '1.2.840.113556.1.4.417';

/** The well-known GUID of a naming context's Deleted Objects container (GUID_DELETED_OBJECTS_CONTAINER_W). */
export const DELETED_OBJECTS_WKGUID = '18e2ea80684f11d2b9aa00c04f79f805';

/** The Show Deleted control: no value, critical (a server that does not know it refuses the search rather than ignoring it). */
export class ShowDeletedControl extends Control {
  constructor() {
    super(SHOW_DELETED_OID, { critical: true });
  }
}

/**
 * The Deleted Objects container of a naming context, by its well-known GUID
 * (`<WKGUID=...,DC=example,DC=com>`), which Active Directory and Samba
 * resolve whatever the container is called. `namingContext` is the
 * rootDSE's defaultNamingContext, a DN the server gave, used as it is.
 */
export function deletedObjectsDn(namingContext: string): string {
  return `<WKGUID=${DELETED_OBJECTS_WKGUID},${namingContext}>`;
}

/**
 * Result codes that mean "this bind or server will not show deleted objects
 * here", not "the directory failed": the control unknown (12,
 * unavailableCriticalExtension), the container not visible (32, 10) or its
 * well-known-GUID name not understood (34), no access (50), refused (53).
 */
export const SHOW_DELETED_REFUSALS: ReadonlySet<number> = new Set([10, 12, 32, 34, 50, 53]);
