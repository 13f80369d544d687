import type { Logger } from '../connectors/types.js';

const SECRET_KEYS = /pass(word)?|secret|token|authorization|credential|api[-_]?key|unicodepwd/i;

/** Replace the values of secret-looking fields, however deep, before anything is written. */
export function redact(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (fields === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_KEYS.test(key)) out[key] = '[redacted]';
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) out[key] = redact(value as Record<string, unknown>);
    else out[key] = value;
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
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, message, ...redact(fields) }));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
