import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../config/types.js';
import type { Logger } from '../connectors/types.js';
import { RosterError } from '../core/errors.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { RosterEngine } from './engine.js';
import { Scheduler } from './scheduler.js';

/** A scheduled source run that fails is logged with the source it was and the error's code (the operator has several sources). */
describe('Scheduler: a failing scheduled source run', () => {
  let dir: string | undefined;
  let store: Store | undefined;
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names the source and the code', async () => {
    dir = mkdtempSync(join(tmpdir(), 'roster-sched-source-'));
    store = await openStore('sqlite:./roster.db', { baseDir: dir });
    const source = { id: 'corp-dir', type: 'ldap', schedule: '* * * * * *' } as unknown as SourceConfig;
    const engine = {
      config: { sources: [source], targets: [] },
      store,
      async readSource() { throw new RosterError('source.unavailable', 'cannot reach the directory'); },
    } as unknown as RosterEngine;
    const errors: { message: string; fields?: Record<string, unknown> }[] = [];
    const log = { debug() {}, info() {}, warn() {}, error: (message: string, fields?: Record<string, unknown>) => void errors.push({ message, ...(fields ? { fields } : {}) }) } as Logger;
    scheduler = new Scheduler(engine, log, () => new Date());
    scheduler.start();
    for (let i = 0; i < 40 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(errors[0]).toEqual({ message: 'scheduled source failed', fields: { source: 'corp-dir', code: 'source.unavailable', error: 'cannot reach the directory' } });
  });
});
