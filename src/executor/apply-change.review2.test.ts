import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import { isRosterError, RosterError } from '../core/errors.js';
import { SecretBox } from '../core/secrets.js';
import type { Change, DesiredAccount, Job, TargetAccount } from '../core/types.js';
import type { Connector } from '../connectors/types.js';
import { SecretAttributes } from '../engine/secret-attributes.js';
import { diffAccount } from '../planner/diff.js';
import type { Store } from '../store/types.js';
import { applyChange } from './apply-change.js';

/**
 * Review (b16c40c): scrubSecrets runs in applyChange's catch, so anything it
 * throws replaces the connector's error. A list-valued secret is sealed as
 * JSON, which keeps a lone surrogate as the escape \ud800; opened, its items
 * are scrubbed one by one, and encodeURIComponent throws URIError on one.
 */
const NOW = new Date('2026-11-27T09:00:00.000Z');
const box = new SecretBox(randomBytes(32));
const target = { id: 'app', accountKey: 'username', secrets: ['password'] } as unknown as TargetConfig;

function createChange(password: unknown): Change {
  const desired: DesiredAccount = {
    target: 'app', identityId: 'E1', present: true, enabled: true, reasons: ['joiner'], attributes: { username: 'ada', password }, entitlements: [], explanations: [],
  };
  const secrets = new SecretAttributes(box, [target]);
  const [hidden] = secrets.hide([desired], () => undefined);
  const out: Change[] = [];
  diffAccount(hidden!, undefined, target, out);
  return secrets.seal(out)[0]!;
}

function job(change: Change): Job {
  return {
    id: 'j1', planId: 'p1', target: 'app', orderingKey: 'app:E1', seq: 1, status: 'running', attempts: 1,
    nextRunAt: NOW.toISOString(), createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), change,
  };
}

/** A target that refuses the create for good, quoting each value it was handed. */
const refusing: Connector = {
  kind: 'fake', capabilities: { entitlements: false } as Connector['capabilities'],
  async check() {},
  async *list() {},
  async get(): Promise<TargetAccount | undefined> { return undefined; },
  async create(spec) { throw new RosterError('target.rejected', `refused: ${JSON.stringify(spec.attributes.password)}`, { retryable: false }); },
  async update() {}, async setEnabled() {}, async delete() {}, async grant() {}, async revoke() {}, async close() {},
};

describe('applyChange secret scrubbing (review 2)', () => {
  it('a final refusal stays a final refusal when a secret list item holds a lone surrogate', async () => {
    const change = createChange(['first', 'x\uD800y']);
    let thrown: unknown;
    try {
      await applyChange(job(change), {
        store: { accounts: { async get() { return undefined; } } } as unknown as Store,
        connector: refusing, actor: 'test', now: () => NOW, secrets: ['password'],
        unseal: (sealed: string, context: string) => box.unseal(sealed, context),
      });
    } catch (error) {
      thrown = error;
    }
    // Today: URIError "URI malformed", which the executor records as a retryable target.unavailable.
    expect(String(thrown)).not.toContain('URI malformed');
    expect(isRosterError(thrown, 'target.rejected')).toBe(true);
    expect((thrown as RosterError).retryable).toBe(false);
  });
});
