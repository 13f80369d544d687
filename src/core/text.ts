/**
 * Text a database column cannot hold as JavaScript gives it: U+0000 (which
 * PostgreSQL refuses in text and jsonb) and a lone UTF-16 surrogate, half a
 * pair (which PostgreSQL refuses and SQLite silently stores as U+FFFD).
 */
const UNSTORABLE_SOURCE = '\\u0000|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNSTORABLE = new RegExp(UNSTORABLE_SOURCE);
const UNSTORABLE_ALL = new RegExp(UNSTORABLE_SOURCE, 'g');

/** Whether `text` is stored exactly as given by both back ends. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** `text` as a text column holds it: NUL and lone surrogates replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE_ALL, '\ufffd');
}
