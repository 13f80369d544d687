/** JSON text columns: what goes in comes back equal (JSON semantics). */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** undefined <-> NULL, everything else as JSON text (so an explicit null stays null). */
export function toOptionalJson(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value) ?? null;
}

export function fromOptionalJson(text: string | null): unknown {
  return text === null ? undefined : (JSON.parse(text) as unknown);
}

/** `{ [key]: value }` when value is set, `{}` for NULL: spread it so no `key: undefined` is left behind. */
export function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === null || value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** Like `optional`, but keeps null: for JSON values where null is data. */
export function present<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
