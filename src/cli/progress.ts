import type { CliContext } from './context.js';

/** A one-line progress counter on a terminal (rewritten in place); silent otherwise. */
export function progressReporter(ctx: CliContext): { update: (done: number, total: number) => void; done: () => void } {
  let shown = false;
  return {
    update(done, total) {
      if (!ctx.io.isTTY || total === 0) return;
      const percent = Math.floor((done / total) * 100);
      const width = 24;
      const filled = Math.round((done / total) * width);
      ctx.io.stdout.write(`\r  applying [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} (${percent}%)`);
      shown = true;
    },
    done() {
      if (shown) ctx.io.stdout.write('\n');
      shown = false;
    },
  };
}
