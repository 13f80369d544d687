import { parseArgs } from 'node:util';
import { RosterError } from '../../src/core/errors.js';

/** Flags of a benchmark: whole numbers and choices with defaults (the first choice), plus --json. */
export interface BenchArgs<K extends string, C extends string> {
  /** Print only the result line. */
  readonly json: boolean;
  readonly values: Readonly<Record<K, number>>;
  readonly choices: Readonly<Record<C, string>>;
}

export function readArgs<K extends string, C extends string = never>(
  defaults: Readonly<Record<K, number>>,
  choiceLists: Readonly<Record<C, readonly [string, ...string[]]>> = {} as Record<C, readonly [string, ...string[]]>,
  argv = process.argv.slice(2),
): BenchArgs<K, C> {
  const options: Record<string, { type: 'string' | 'boolean' }> = { json: { type: 'boolean' } };
  for (const name of [...Object.keys(defaults), ...Object.keys(choiceLists)]) options[name] = { type: 'string' };
  const { values } = parseArgs({ args: argv, options, strict: true });
  const numbers = { ...defaults } as Record<K, number>;
  for (const name of Object.keys(defaults) as K[]) {
    const raw = values[name];
    if (raw === undefined) continue;
    const value = Number(String(raw).replace(/_/g, ''));
    if (!Number.isInteger(value) || value < 0) throw new RosterError('request.invalid', `--${name} must be a whole number, got "${String(raw)}"`);
    numbers[name] = value;
  }
  const choices = {} as Record<C, string>;
  for (const name of Object.keys(choiceLists) as C[]) {
    const allowed = choiceLists[name];
    const raw = values[name] === undefined ? allowed[0] : String(values[name]);
    if (!allowed.includes(raw)) throw new RosterError('request.invalid', `--${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    choices[name] = raw;
  }
  return { json: values.json === true, values: numbers, choices };
}

/** Progress for humans on stderr; silent with --json. */
export function progress(args: { readonly json: boolean }, message: string): void {
  if (!args.json) process.stderr.write(`${message}\n`);
}

/** The result: always the last line on stdout, one JSON object. */
export function printResult(result: Readonly<Record<string, unknown>>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
