import { spawn } from 'node:child_process';

const TSX = import.meta.resolve('tsx');

/**
 * Runs one benchmark pass in a Node process of its own (through tsx, with a
 * V8 CPU profile into `profileDir` when given), so its peak RSS is its own;
 * the pass prints its result as JSON on its last line of output.
 */
export function runPassProcess<T>(script: string, args: readonly string[], options: { readonly cwd: string; readonly profileDir?: string; readonly label: string }): Promise<T> {
  const flags = options.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.profileDir];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, '--import', TSX, script, ...args], { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${options.label} failed (${code}): ${err.slice(-2000)}`));
      else resolve(JSON.parse(last) as T);
    });
  });
}
