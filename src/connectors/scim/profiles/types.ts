/**
 * What the connector needs to know about a SCIM service provider beyond the
 * RFC: a profile is plain data, one file per application, and every quirk in
 * one is commented with the public documentation that states it.
 */

/** The optional features of RFC 7644 §5 (ServiceProviderConfig) the connector adapts to. */
export interface ScimCapabilities {
  /** PATCH (RFC 7644 §3.5.2); without it updates are GET + PUT. */
  readonly patch: boolean;
  /** Filtered GET (RFC 7644 §3.4.2.2); without it matching lists and scans. */
  readonly filter: boolean;
  /** The largest page the server returns (filter.maxResults). */
  readonly maxResults?: number;
}

export interface ScimProfile {
  readonly name: string;
  /**
   * Where the ServiceProviderConfig is served, relative to baseUrl, or
   * undefined when the application does not serve one.
   */
  readonly discoveryPath: string | undefined;
  /**
   * Capabilities the application documents. Used when discovery is
   * unavailable or fails; undefined means "only trust discovery".
   */
  readonly declared: ScimCapabilities | undefined;
  /** Filters may join comparisons with `or` (one search for all matchBy values instead of one each). */
  readonly filterOr: boolean;
  /** Most membership changes one group PATCH may carry. */
  readonly maxMembersPerPatch: number;
  /** How an account is disabled: `active: false` by PATCH/PUT, or a DELETE that only deactivates. */
  readonly disableBy: 'active' | 'delete';
  /** Whether DELETE really removes the account (false: the application only deactivates). */
  readonly canDelete: boolean;
  /** `index`: startIndex/count (RFC 7644 §3.4.2.4); `cursor`: the application's cursor/nextCursor. */
  readonly pagination: 'index' | 'cursor';
  /**
   * Where an account's groups are read: the User's `groups` attribute
   * (RFC 7643 §4.1.2), or by asking /Groups for those with the user as member.
   */
  readonly membershipsFrom: 'user' | 'groupFilter';
  /** The filter attribute naming a member on /Groups (with membershipsFrom: groupFilter). */
  readonly memberFilterAttribute: string;
  /** Entitlements can be pushed as SCIM Groups at all. */
  readonly groups: boolean;
}

/** A page size for servers that state no limit: small enough for any server, large enough to be quick. */
export const DEFAULT_PAGE_SIZE = 100;
