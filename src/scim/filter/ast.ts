/**
 * The SCIM 2.0 filter AST (RFC 7644 §3.4.2.2). Names are kept as written:
 * attribute and schema names are case-insensitive and are resolved against a
 * schema only by the translator. Operators are lower-cased. Every node carries
 * the offset (0-based, in UTF-16 code units) of the text it came from, so a
 * later error can still point at the fault.
 */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export const COMPARE_OPERATORS: readonly CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

export type FilterValue = string | number | boolean | null;

export interface AttributePath {
  /** Schema URN when the path was qualified, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
  readonly uri?: string;
  readonly name: string;
  readonly subAttribute?: string;
  /** The path as written. */
  readonly text: string;
  readonly offset: number;
}

export interface CompareNode {
  readonly kind: 'compare';
  readonly path: AttributePath;
  readonly operator: CompareOperator;
  readonly value: FilterValue;
  readonly offset: number;
}

export interface PresentNode {
  readonly kind: 'present';
  readonly path: AttributePath;
  readonly offset: number;
}

export interface LogicalNode {
  readonly kind: 'and' | 'or';
  readonly left: FilterNode;
  readonly right: FilterNode;
  readonly offset: number;
}

export interface NotNode {
  readonly kind: 'not';
  readonly filter: FilterNode;
  readonly offset: number;
}

/** `emails[type eq "work" and value co "@x"]`: the inner filter binds to ONE element. */
export interface ValuePathNode {
  readonly kind: 'valuePath';
  readonly path: AttributePath;
  readonly filter: FilterNode;
  readonly offset: number;
}

export type FilterNode = CompareNode | PresentNode | LogicalNode | NotNode | ValuePathNode;
