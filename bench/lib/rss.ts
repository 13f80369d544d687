/**
 * Peak resident memory of this process: process.memoryUsage().rss sampled
 * every 50 ms, and the kernel's own high-water mark (resourceUsage().maxRSS,
 * KiB), whichever is higher.
 */
export interface RssTracker {
  /** Stop sampling; the peak in MiB (one decimal). */
  stop(): number;
}

export function trackPeakRss(intervalMs = 50): RssTracker {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, intervalMs);
  timer.unref();
  return {
    stop(): number {
      clearInterval(timer);
      const kernelPeak = process.resourceUsage().maxRSS * 1024;
      return Math.round((Math.max(peak, process.memoryUsage().rss, kernelPeak) / (1024 * 1024)) * 10) / 10;
    },
  };
}
