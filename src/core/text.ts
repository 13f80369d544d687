/**
 * Text a database column cannot hold as JavaScript gives it: U+0000 (which
 * PostgreSQL refuses in text and jsonb) and a lone UTF-16 surrogate, half a
 * pair (which PostgreSQL refuses and SQLite silently stores as U+FFFD).
 */
const UNSTORABLE_ALL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Whether `text` is stored exactly as given by both back ends. Native checks
 * (String.prototype.isWellFormed: Node 20, ES2024), not a regular
 * expression: this runs on every text value a bulk write stores.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** `text` as a text column holds it: NUL and lone surrogates replaced by U+FFFD. */
export function storableText(text: string): string {
  return isStorableText(text) ? text : text.replace(UNSTORABLE_ALL, '\ufffd');
}
