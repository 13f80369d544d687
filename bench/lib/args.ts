import { parseArgs } from 'node:util';
import { RosterError } from '../../src/core/errors.js';

/** Flags of a benchmark: integers with defaults, plus --json (print only the result line). */
export interface BenchArgs<K extends string> {
  readonly json: boolean;
  readonly values: Readonly<Record<K, number>>;
}

export function readArgs<K extends string>(defaults: Readonly<Record<K, number>>, argv = process.argv.slice(2)): BenchArgs<K> {
  const options: Record<string, { type: 'string' | 'boolean' }> = { json: { type: 'boolean' } };
  for (const name of Object.keys(defaults)) options[name] = { type: 'string' };
  const { values } = parseArgs({ args: argv, options, strict: true });
  const numbers = { ...defaults } as Record<K, number>;
  for (const name of Object.keys(defaults) as K[]) {
    const raw = values[name];
    if (raw === undefined) continue;
    const value = Number(String(raw).replace(/_/g, ''));
    if (!Number.isInteger(value) || value < 0) throw new RosterError('request.invalid', `--${name} must be a whole number, got "${String(raw)}"`);
    numbers[name] = value;
  }
  return { json: values.json === true, values: numbers };
}

/** Progress for humans on stderr; silent with --json. */
export function progress(args: { readonly json: boolean }, message: string): void {
  if (!args.json) process.stderr.write(`${message}\n`);
}

/** The result: always the last line on stdout, one JSON object. */
export function printResult(result: Readonly<Record<string, unknown>>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
