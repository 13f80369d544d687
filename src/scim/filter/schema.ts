/** The slice of a SCIM schema (RFC 7643 §7) the filter translator needs. */
export type ScimAttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex';

export interface ScimAttribute {
  readonly name: string;
  readonly type: ScimAttributeType;
  readonly multiValued: boolean;
  readonly caseExact: boolean;
  readonly subAttributes?: readonly ScimAttribute[];
  // RFC 7643 §7 characteristics. Optional: the filter needs none of them; the
  // server (src/scim/resource/) reads them with these defaults when absent.
  /** Default false. */
  readonly required?: boolean;
  /** Default 'readWrite'. */
  readonly mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  /** Default 'default'. */
  readonly returned?: 'always' | 'never' | 'default' | 'request';
  /** Default 'none'. */
  readonly uniqueness?: 'none' | 'server' | 'global';
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly description?: string;
}

export interface ScimSchema {
  /** Schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
  readonly id: string;
  /** For /Schemas (RFC 7643 §7): "User", "Enterprise User"… */
  readonly name?: string;
  readonly description?: string;
  readonly attributes: readonly ScimAttribute[];
}

/**
 * A resource type as the filter sees it: the core schema (whose attributes sit
 * at the top of the stored JSON, common attributes `id`, `externalId`, `meta`
 * included) and its extensions (whose attributes sit under a key named by the
 * extension URN, as on the wire).
 */
export interface ScimResourceSchema {
  readonly core: ScimSchema;
  readonly extensions?: readonly ScimSchema[];
}

/** Shorthand for schema literals. */
export function attribute(
  name: string,
  type: ScimAttributeType,
  options: { readonly multiValued?: boolean; readonly caseExact?: boolean; readonly subAttributes?: readonly ScimAttribute[] } = {},
): ScimAttribute {
  return {
    name,
    type,
    multiValued: options.multiValued ?? false,
    caseExact: options.caseExact ?? false,
    ...(options.subAttributes === undefined ? {} : { subAttributes: options.subAttributes }),
  };
}
