import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { processIo } from './io.js';

/**
 * Review 21: the confirmation question is written to stderr, never stdout:
 * `roster apply` on a terminal whose stdout a script reads (or tees) would
 * otherwise find "Apply 2 changes? [y/N]" mixed into what it reads.
 */
describe('processIo().confirm (review21)', () => {
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  afterEach(() => {
    Object.defineProperty(process, 'stdin', stdin);
    vi.restoreAllMocks();
  });

  it('asks on stderr, reads the answer from stdin, and writes nothing to stdout', async () => {
    const input = new PassThrough();
    Object.defineProperty(process, 'stdin', { value: input, configurable: true });
    const written = { stdout: '', stderr: '' };
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((written.stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((written.stderr += String(chunk)), true));
    const answer = processIo().confirm('Apply 2 changes?');
    input.write('y\n');
    expect(await answer).toBe(true);
    expect(written.stderr).toContain('Apply 2 changes? [y/N] ');
    expect(written.stdout).toBe('');
  });
});
