import { describe, expect, it } from 'vitest';
import type { ExecutorConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import type { Job } from '../core/types.js';
import type { Logger } from '../connectors/types.js';
import { learnedKey, type LearnedValues } from '../reconcile/learned.js';
import type { Store } from '../store/types.js';
import { recordFailure, type FailureContext } from './failure.js';
import type { QuarantineKeeper } from './quarantine.js';

const NOW = new Date('2026-11-27T09:00:00.000Z');
const CONFIG: ExecutorConfig = { concurrency: 1, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 20, quarantineAfter: 100 };

const job: Job = {
  id: 'j1', planId: 'p1', target: 'corp-ad', orderingKey: 'corp-ad:E1', seq: 1, status: 'running', attempts: 1,
  nextRunAt: NOW.toISOString(), createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(),
  change: {
    id: 'c1', identity: 'E1', target: 'corp-ad', action: 'create', before: null,
    after: { enabled: true, attributes: { sAMAccountName: 'john.smith' } }, reasons: ['joiner'],
  },
};

const takenError = () => new RosterError('target.conflict', 'create on corp-ad: the sAMAccountName john.smith is already taken', {
  details: { holders: ['CN=John Smith,CN=Users,DC=example,DC=test'], taken: [{ attribute: 'sAMAccountName', value: 'john.smith' }] },
});

/** A store with a queue that records fails and a state in a Map; `stateFails` makes every state write throw. */
function setUp(stateFails = false) {
  const fails: Array<{ jobId: string; retryAt: Date | null; kinds: string[] }> = [];
  const state = new Map<string, unknown>();
  const logged: string[] = [];
  const store = {
    queue: {
      async fail(jobId: string, _error: string, retryAt: Date | null, audit: ReadonlyArray<{ kind: string }> = []) {
        fails.push({ jobId, retryAt, kinds: audit.map((a) => a.kind) });
      },
    },
    state: {
      async get(key: string) {
        return state.get(key);
      },
      async set(key: string, value: unknown) {
        if (stateFails) throw new Error('state store down');
        state.set(key, value);
      },
      async update(key: string, change: (current: unknown) => unknown) {
        if (stateFails) throw new Error('state store down');
        state.set(key, change(state.get(key)));
      },
    },
  } as unknown as Store;
  const record = (level: string) => (message: string) => void logged.push(`${level}: ${message}`);
  const log: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const quarantine = { failed: async () => false } as unknown as QuarantineKeeper;
  const ctx: FailureContext = { store, log, actor: 'test', config: CONFIG, quarantine, now: () => NOW, random: () => 0.5 };
  return { ctx, fails, state, logged };
}

describe('recordFailure: values taken in the target', () => {
  it('a final failure whose error says a value is taken records the failure and remembers the value', async () => {
    const { ctx, fails, state } = setUp();
    const record = await recordFailure(job, takenError(), ctx);
    expect(record.outcome).toBe('failed');
    expect(fails).toEqual([{ jobId: 'j1', retryAt: null, kinds: ['change.failed'] }]);
    expect(state.get(learnedKey('corp-ad'))).toEqual({ sAMAccountName: [{ value: 'john.smith', at: NOW.toISOString() }] } satisfies LearnedValues);
  });

  it('a retryable failure, or one without the detail, remembers nothing', async () => {
    const { ctx, state } = setUp();
    const retryable = new RosterError('target.unavailable', 'busy', { retryable: true, details: { taken: [{ attribute: 'sAMAccountName', value: 'x' }] } });
    expect((await recordFailure(job, retryable, ctx)).outcome).toBe('retry');
    expect((await recordFailure(job, new RosterError('target.conflict', 'two accounts'), ctx)).outcome).toBe('failed');
    expect(state.size).toBe(0);
  });

  it('a state store that cannot remember the value does not stop the failure being recorded', async () => {
    const { ctx, fails, state, logged } = setUp(true);
    const record = await recordFailure(job, takenError(), ctx);
    expect(record.outcome).toBe('failed');
    expect(fails).toHaveLength(1);
    expect(state.size).toBe(0);
    expect(logged).toContain('warn: could not remember a value taken in the target; the next plan may pick it again');
    expect(logged.filter((line) => line.startsWith('error:'))).toEqual([]);
  });
});
