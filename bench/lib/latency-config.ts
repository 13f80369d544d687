/**
 * The demo configuration (examples/demo/roster.yaml) pointed at a benchmark
 * workspace: store, HR file and the SQL target's SQLite file all inside it.
 */
export function latencyBenchConfig(demo: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const config = structuredClone(demo) as {
    store: string;
    server: Record<string, unknown>;
    sources: Record<string, unknown>[];
    targets: { connection: Record<string, unknown> }[];
  };
  config.store = 'sqlite:./roster.db';
  config.server = { host: '127.0.0.1', port: 0 };
  config.sources = config.sources.map((source) => {
    const { schedule: _schedule, ...rest } = source; // no scheduled re-reads while measuring
    return { ...rest, path: './employees.csv' };
  });
  for (const target of config.targets) target.connection = { ...target.connection, url: 'sqlite:./app.db' };
  return config;
}

/**
 * The same configuration with its HR source as a push source (same id, key
 * and fields): the server only takes pushes for `type: push` sources. The
 * identities the CSV made (seeded with latencyBenchConfig) stay the source's.
 */
export function latencyPushConfig(config: Readonly<Record<string, unknown>>, events = 200): Record<string, unknown> {
  const push = structuredClone(config) as { sources: Record<string, unknown>[]; targets: { safety?: Record<string, unknown> }[] };
  push.sources = push.sources.map(({ id, key, fields }) => ({ id, type: 'push', key, fields }));
  // The terminations are pushed within the target's safety window (1h): past maxDisables of it they would
  // be held, not measured. The window stays on (its check is part of what a push costs); its limit is
  // raised above the measured terminations (a count: the bench checks every one is disabled).
  for (const target of push.targets) target.safety = { ...target.safety, maxDisables: events * 2 };
  return push;
}
