import type { ScimAttribute, ScimResourceSchema, ScimSchema } from '../filter/schema.js';

/**
 * Contracts between the pieces of the SCIM server: the schema registry and the
 * resource functions (src/scim/resource/), the HTTP routes (src/api/scim/) and
 * inbound provisioning (src/sources/scim.ts). Pure: nothing here touches HTTP
 * or the store.
 *
 * Every fault a client caused is RosterError('request.invalid', message,
 * { details: { scimType } }) with scimType one of RFC 7644 §3.12's
 * (invalidFilter, tooMany, uniqueness, mutability, invalidSyntax, invalidPath,
 * noTarget, invalidValue, invalidVers, sensitive); the routes turn it into a
 * SCIM error body.
 */

/** A custom extension schema from configuration (`scim.server.extensions`). */
export interface ScimExtensionConfig {
  /** The schema URN, e.g. `urn:example:params:scim:schemas:extension:acme:2.0:User`. */
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  /** The resource type it extends; default 'User'. */
  readonly resourceType?: string;
  /** Whether resources must carry it; default false. */
  readonly required?: boolean;
  /** RFC 7643 §7 attribute definitions (name, type, multiValued, caseExact, required, mutability, returned, uniqueness, canonicalValues, subAttributes…). */
  readonly attributes: readonly ScimSchemaAttributeConfig[];
}

/**
 * A ScimAttribute as configuration spells it: every characteristic is the
 * filter schema's, but multiValued and caseExact may be left out (the
 * registry fills in RFC 7643 §7's default, false), sub-attributes likewise.
 */
export interface ScimSchemaAttributeConfig
  extends Omit<ScimAttribute, 'multiValued' | 'caseExact' | 'subAttributes'>, Partial<Pick<ScimAttribute, 'multiValued' | 'caseExact'>> {
  readonly subAttributes?: readonly ScimSchemaAttributeConfig[];
}

/** One resource type the server serves (RFC 7643 §6). */
export interface ScimResourceType {
  /** 'User' | 'Group' */
  readonly name: string;
  /** '/Users' | '/Groups' */
  readonly endpoint: string;
  readonly description: string;
  /** Core schema and extensions, with full RFC 7643 §7 characteristics. */
  readonly schema: ScimResourceSchema;
  /** For each extension: whether a resource must carry it. */
  readonly requiredExtensions: ReadonlySet<string>;
  /** The attribute whose value is unique per type (case-insensitive): 'userName' | 'displayName'. */
  readonly uniqueAttribute: string;
}

export interface ScimRegistry {
  readonly resourceTypes: readonly ScimResourceType[];
  /** By name ('User') or endpoint segment ('Users'), case-insensitively; undefined when unknown. */
  resourceType(nameOrEndpoint: string): ScimResourceType | undefined;
  /** Every schema served under /Schemas (core, enterprise, custom extensions). */
  readonly schemas: readonly ScimSchema[];
}

/** What the server supports, for /ServiceProviderConfig (it must tell the truth). */
export interface ScimCapabilities {
  readonly patch: true;
  readonly bulk: { readonly maxOperations: number; readonly maxPayloadSize: number };
  readonly filter: { readonly maxResults: number };
  readonly changePassword: false;
  readonly sort: true;
  readonly etag: true;
  readonly documentationUri?: string;
}

/** A resource body checked and put into stored form (see ScimResource.data in store/types.ts). */
export interface PreparedResource {
  readonly data: Record<string, unknown>;
  /** userName / displayName: the store's `uniqueName`. */
  readonly uniqueName: string;
}

/** `attributes` / `excludedAttributes` query or body parameters, already split on commas. */
export interface Projection {
  readonly attributes?: readonly string[];
  readonly excludedAttributes?: readonly string[];
}
