/** Keep a dev server running until Ctrl-C or SIGTERM, then stop it once and exit. */
export function runUntilStopped(server: { stop(): Promise<void> }): void {
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // Keep the event loop alive while the server runs.
  setInterval(() => undefined, 1 << 30);
}
