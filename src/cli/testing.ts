import { PassThrough } from 'node:stream';
import type { CliIo } from './io.js';

export interface CapturedIo {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** An io for running commands in-process: captured output, no terminal, no colour, real engine unless overridden. */
export function capturedIo(overrides: Partial<CliIo> = {}): CapturedIo {
  const out = sink();
  const err = sink();
  const io: CliIo = {
    stdout: out.stream,
    stderr: err.stream,
    isTTY: false,
    env: { NO_COLOR: '1' },
    cwd: process.cwd(),
    openEngine: async (configPath, options) => {
      const { openEngine } = await import('../engine/index.js');
      return openEngine(configPath, options);
    },
    confirm: async () => false,
    waitForShutdown: async () => 'SIGTERM',
    ...overrides,
  };
  return { io, stdout: out.text, stderr: err.text };
}
