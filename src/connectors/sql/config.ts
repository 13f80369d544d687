import { z } from 'zod';
import { booleanField, numberField } from '../../config/values.js';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain SQL identifier (letters, digits, _; not starting with a digit)');
const enabledValue = z.union([z.string(), z.number(), z.boolean()]);

/** The `connection:` block of a `type: sql` target. */
export const sqlConnectionSchema = z.object({
  /** sqlite:<path> (relative to the config file), sqlite::memory:, or postgres://user@host:port/db[?schema=name] */
  url: z.string().refine((url) => /^sqlite:/.test(url) || /^postgres(ql)?:\/\//.test(url), 'must start with sqlite: or postgres://'),
  /** Create the user and membership tables when missing (demo, tests). */
  createTables: booleanField().default(false),
  users: z.object({
    table: identifier,
    /** The column holding the natural key (the target's accountKey attribute); its value is the account id. */
    key: identifier,
    /** attribute name -> column */
    columns: z.record(z.string().min(1), identifier),
    enabled: z.object({
      column: identifier,
      /** Stored values for enabled / disabled (default 1/0 on SQLite, true/false on PostgreSQL). */
      true: enabledValue.optional(),
      false: enabledValue.optional(),
    }).strict().optional(),
  }).strict(),
  memberships: z.object({
    table: identifier,
    /** Column referencing the user's key. */
    user: identifier,
    group: identifier,
  }).strict().optional(),
}).strict();

export type SqlConnectionConfig = z.infer<typeof sqlConnectionSchema>;
