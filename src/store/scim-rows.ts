/**
 * The SCIM resources table as the store reads it (migrations.ts, 0003_scim):
 * the columns every read selects, how such a row becomes a ScimResource, and
 * which SCIM attributes have a column of their own for filters to read.
 */
import type { ScimResource } from './types.js';

export const TABLE = 'roster_scim_resources';
export const SELECTED = ['resource_type', 'id', 'data', 'version', 'created_at', 'updated_at'] as const;
export const SELECTED_SQL = SELECTED.join(', ');

/**
 * Attributes the store keeps in columns. `id` and `meta` are not in `data`
 * at all, so a filter on them must read the columns. `userName` is the unique
 * name of Users, and only Users have it, so it maps to unique_name without
 * knowing the resource type, and `userName eq` hits the unique index. Groups'
 * displayName is deliberately not mapped: Users have a displayName too, which
 * is not their unique name, and mapping it would need the resource type; an
 * expression index serves `displayName eq` for both instead.
 * meta.version and meta.location are not stored: filters on them match nothing.
 */
export const COLUMNS: ReadonlyMap<string, string> = new Map([
  ['id', 'id'],
  ['meta.created', 'created_at'],
  ['meta.lastModified', 'updated_at'],
  ['meta.resourceType', 'resource_type'],
  ['userName', 'unique_name'],
]);

export interface SelectedRow {
  readonly resource_type: string;
  readonly id: string;
  readonly data: unknown;
  readonly version: number | string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** A row of SELECTED read in raw mode (an array in SELECTED's order), as SelectedRow. */
export function fromRawRow(row: readonly unknown[]): SelectedRow {
  const [resourceType, id, data, version, created, updated] = row as [string, string, string, number, string, string];
  return { resource_type: resourceType, id, data, version, created_at: created, updated_at: updated };
}

export function fromRow(row: SelectedRow): ScimResource {
  // jsonb arrives parsed from pg; SQLite gives the JSON text.
  const data = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
  return {
    resourceType: row.resource_type,
    id: row.id,
    data: data as ScimResource['data'],
    version: Number(row.version),
    created: row.created_at,
    lastModified: row.updated_at,
  };
}
