import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ExecutorConfig, TargetConfig } from '../config/types.js';
import { RosterError } from '../core/errors.js';
import { SecretBox } from '../core/secrets.js';
import type { AuditEntryInput, Change, DesiredAccount, Job, LinkedAccount, TargetAccount } from '../core/types.js';
import type { Connector, Logger } from '../connectors/types.js';
import { toTargetError } from '../connectors/sql/errors.js';
import { applyChange } from '../executor/apply-change.js';
import { recordFailure, type FailureContext } from '../executor/failure.js';
import type { QuarantineKeeper } from '../executor/quarantine.js';
import { diffAccount } from '../planner/diff.js';
import type { Store } from '../store/types.js';
import { SecretAttributes } from './secret-attributes.js';

/**
 * Review of the secret attributes (targets[].secrets): where a secret could
 * still be kept or shown in clear, and what a connector is handed.
 */
const NOW = new Date('2026-11-27T09:00:00.000Z');
const SECRET = 'Init-E1-S3cret!';
const box = new SecretBox(randomBytes(32));
const target = { id: 'app', accountKey: 'username', secrets: ['password'] } as unknown as TargetConfig;
const CONFIG: ExecutorConfig = { concurrency: 1, maxAttempts: 1, backoffBaseMs: 10, backoffMaxMs: 20, quarantineAfter: 100 };

function desired(attributes: Record<string, unknown>): DesiredAccount {
  return {
    target: 'app', identityId: 'E1', present: true, enabled: true, reasons: ['joiner'], attributes, entitlements: [],
    explanations: [{ subject: 'attribute:password', rule: 'mapping', detail: `${JSON.stringify(attributes.password)} from \`...\`` }],
  };
}

function link(attributes: Record<string, unknown>): LinkedAccount {
  return {
    target: 'app', identityId: 'E1', accountId: 'ada', attributes, entitlements: [], enabled: true,
    createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(),
  };
}

/** The plan's changes for one identity: hide, diff, seal, as Planning does. */
function planned(want: Record<string, unknown>, linked: LinkedAccount | undefined): Change[] {
  const secrets = new SecretAttributes(box, [target]);
  const [hidden] = secrets.hide([desired(want)], () => linked);
  const out: Change[] = [];
  diffAccount(hidden!, linked, target, out);
  return secrets.seal(out);
}

function job(change: Change): Job {
  return {
    id: 'j1', planId: 'p1', target: 'app', orderingKey: 'app:E1', seq: 1, status: 'running', attempts: 1,
    nextRunAt: NOW.toISOString(), createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), change,
  };
}

/** A connector that records what it is handed, and fails the way it is told. */
function connector(fail?: (attributes: Record<string, unknown>) => unknown): Connector & { handed: Record<string, unknown>[] } {
  const handed: Record<string, unknown>[] = [];
  const write = async (attributes: Record<string, unknown>) => {
    handed.push(attributes);
    if (fail) throw fail(attributes);
  };
  return {
    kind: 'fake', capabilities: { entitlements: false } as Connector['capabilities'], handed,
    async check() {},
    async *list() {},
    async get(): Promise<TargetAccount | undefined> { return undefined; },
    async create(spec) { await write(spec.attributes); return { accountId: 'ada', attributes: spec.attributes, entitlements: [], enabled: true }; },
    async update(_id, attributes) { await write(attributes); },
    async setEnabled() {}, async delete() {}, async grant() {}, async revoke() {}, async close() {},
  };
}

/** A store that records what the queue, the log, the state and the quarantine are told on a failure. */
function failureContext() {
  const kept: unknown[] = [];
  const store = {
    queue: { async fail(_id: string, error: string, _at: Date | null, audit: readonly AuditEntryInput[] = []) { kept.push(error, audit); } },
    state: {
      async get() { return undefined; },
      async set(key: string, value: unknown) { kept.push(key, value); },
      async update(key: string, change: (current: unknown) => unknown) { kept.push(key, change(undefined)); },
    },
  } as unknown as Store;
  const log: Logger = { debug: (...a) => void kept.push(a), info: (...a) => void kept.push(a), warn: (...a) => void kept.push(a), error: (...a) => void kept.push(a) };
  const quarantine = { failed: async (...a: unknown[]) => { kept.push(a); return false; } } as unknown as QuarantineKeeper;
  const ctx: FailureContext = { store, log, actor: 'test', config: CONFIG, quarantine, now: () => NOW, random: () => 0.5 };
  return { ctx, kept };
}

const applyContext = (c: Connector, linked?: LinkedAccount) => ({
  store: { accounts: { async get() { return linked; } } } as unknown as Store,
  connector: c, actor: 'test', now: () => NOW, unseal: (sealed: string, context: string) => box.unseal(sealed, context),
});

/** Runs one change the way the executor does: apply, and on an error record the failure. */
async function run(change: Change, c: Connector, linked?: LinkedAccount): Promise<string> {
  const { ctx, kept } = failureContext();
  let thrown: unknown;
  try {
    await applyChange(job(change), applyContext(c, linked));
  } catch (error) {
    thrown = error;
    await recordFailure(job(change), error, ctx);
  }
  return JSON.stringify({ kept, message: thrown instanceof Error ? thrown.message : undefined, details: (thrown as RosterError | undefined)?.details });
}

describe('secret attributes: review', () => {
  it('the connector gets the value, the plan only fingerprints and the sealed value', async () => {
    const [create] = planned({ username: 'ada', password: SECRET }, undefined);
    expect(JSON.stringify(create)).not.toContain('S3cret');
    const c = connector();
    await applyChange(job(create!), applyContext(c));
    expect(c.handed).toEqual([{ username: 'ada', password: SECRET }]);
  });

  it('a connector error that quotes the value (PostgreSQL: invalid input syntax) keeps it out of the job, the audit log, the log and the quarantine', async () => {
    const [create] = planned({ username: 'ada', password: SECRET }, undefined);
    const pg = connector((attributes) => toTargetError(
      Object.assign(new Error(`invalid input syntax for type integer: "${String(attributes.password)}"`), { code: '22P02' }), 'app', 'create'));
    const kept = await run(create!, pg);
    expect(kept).toContain('invalid input syntax');
    expect(kept).not.toContain('S3cret');
  });

  it('a value the target says is taken is not remembered in clear (state reconcile:learned)', async () => {
    const [create] = planned({ username: 'ada', password: SECRET }, undefined);
    const taken = connector((attributes) => new RosterError('target.conflict', 'create on app: a value is already taken', {
      details: { taken: [{ attribute: 'password', value: attributes.password }] },
    }));
    expect(await run(create!, taken)).not.toContain('S3cret');
  });

  it('the audit entry of a failed change leaves the sealed value out, like the one of an applied change', async () => {
    const [create] = planned({ username: 'ada', password: SECRET }, undefined);
    const sealed = create!.after!.sealed!.password!;
    const kept = await run(create!, connector(() => new RosterError('target.rejected', 'create on app: refused')));
    expect(kept).toContain('change.failed');
    expect(kept).not.toContain(sealed);
    expect(kept).not.toContain('"sealed"');
  });

  it('a link that holds the value in clear (the attribute became a secret later): the update that fingerprints it does not show the old value', () => {
    const changes = planned({ username: 'ada', password: 'Init-E1-NEW!' }, link({ username: 'ada', password: SECRET }));
    expect(changes.map((c) => c.action)).toEqual(['update']);
    expect(JSON.stringify(changes)).not.toContain('S3cret');
    expect(JSON.stringify(changes)).not.toContain('NEW!');
  });

  it('a fingerprint with no sealed value is never handed to a connector as the value', async () => {
    const [create] = planned({ username: 'ada', password: SECRET }, undefined);
    const { sealed: _sealed, ...after } = create!.after!;
    const c = connector();
    await expect(applyChange(job({ ...create!, after }), applyContext(c))).rejects.toThrow(/fingerprint/);
    expect(c.handed).toEqual([]);
  });

  it('a value that is not a string reaches the connector as it was mapped', async () => {
    for (const value of [1234, ['a', 'b'], true]) {
      const [create] = planned({ username: 'ada', password: value }, undefined);
      expect(JSON.stringify(create)).not.toContain('1234');
      const c = connector();
      await applyChange(job(create!), applyContext(c));
      expect(c.handed[0]?.password).toEqual(value);
    }
  });
});

describe('secret attributes: review, second round', () => {
  it('a link started from what the target holds (no link yet) never takes its secret attribute', async () => {
    const update: Change = {
      id: 'app:E1:update', identity: 'E1', target: 'app', action: 'update', reasons: ['mapping.changed'],
      before: { accountId: 'ada', attributes: { title: 'Old' } }, after: { accountId: 'ada', attributes: { title: 'New' } },
    };
    const held: Connector = {
      ...connector(),
      async get(): Promise<TargetAccount | undefined> {
        return { accountId: 'ada', attributes: { username: 'ada', title: 'Old', password: '$argon2id$v=19$hash-of-the-password' }, entitlements: [], enabled: true };
      },
    };
    const effects = await applyChange(job(update), { ...applyContext(held), secrets: ['password'] });
    expect(effects.upsertAccount?.attributes).toEqual({ username: 'ada', title: 'New' });
  });

  it('a sealed value moved into another identity\'s change does not open', async () => {
    const [create] = planned({ username: 'ada', password: SECRET }, undefined);
    const moved: Change = { ...create!, id: 'app:E2:create', identity: 'E2' };
    const c = connector();
    await expect(applyChange(job(moved), applyContext(c))).rejects.toThrow(/cannot be opened/);
    expect(c.handed).toEqual([]);
  });
});
