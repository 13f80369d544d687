import type { Logger } from '../connectors/types.js';

const SECRET_KEYS = /pass(word)?|secret|token|authorization|credential|api[-_]?key|unicodepwd/i;

/** `scheme://user:password@host`: the password part of a URL's user info. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/@]+@/gi;

/** A value with secret-looking fields replaced, however deep (objects, lists, an Error's own fields), and a URL's password hidden. */
function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.replace(URL_PASSWORD, '$1[redacted]@');
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[too deep]';
  // Bytes (a unicodePwd value, a certificate) are never written as they are.
  if (ArrayBuffer.isView(value)) return '[binary]';
  if (Array.isArray(value)) return value.map((item: unknown) => redactValue(item, depth + 1));
  // An Error serialises as {} (message and stack are not enumerable): keep its message, redacted.
  const fields = value instanceof Error ? { ...(value as object), name: value.name, message: value.message } : value;
  return redact(fields as Record<string, unknown>, depth + 1);
}

/** Replace the values of secret-looking fields, however deep, before anything is written. */
export function redact(fields: Record<string, unknown> | undefined, depth = 0): Record<string, unknown> | undefined {
  if (fields === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_KEYS.test(key) ? '[redacted]' : redactValue(value, depth);
  }
  return out;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** JSON lines on stderr (stdout is kept for command output). */
export function createLogger(level: LogLevel = (process.env.ROSTER_LOG_LEVEL as LogLevel | undefined) ?? 'warn', write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const threshold = ORDER[level] ?? ORDER.warn;
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < threshold) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, message: redactValue(message, 0), ...redact(fields) }));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
