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

/** True when `value` comes back from toJson/fromJson equal to itself (plain data only: no undefined, -0, NaN, Date...). */
export function isJsonClean(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isJsonClean(value[i])) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return false;
      for (const key in value) {
        if (!Object.hasOwn(value, key) || !isJsonClean((value as Record<string, unknown>)[key])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** `value` as a JSON text column gives it back: itself when already plain data, a round-tripped copy otherwise. */
export function asStored<T>(value: T): T {
  return isJsonClean(value) ? value : fromJson<T>(toJson(value));
}
