import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../config/types.js';
import { SecretBox } from '../core/secrets.js';
import type { Change, DesiredAccount, Job, LinkedAccount, TargetAccount } from '../core/types.js';
import type { Connector, EnableOptions, EnableResult } from '../connectors/types.js';
import { applyChange } from '../executor/apply-change.js';
import { diffAccount } from '../planner/diff.js';
import type { Store } from '../store/types.js';
import { SecretAttributes } from './secret-attributes.js';

/**
 * An account adopted by reconcile (its link holds nothing for the secret
 * attribute) keeps the secret it has while it is simply in use; its
 * rehire's (or return's) enable carries the mapped secret, which the
 * connector writes with the enable, and the link holds its fingerprint
 * from then on. A joiner's first-day enable carries none.
 */
const NOW = new Date('2027-01-05T09:00:00.000Z');
const MAPPED = 'Init-E1-Zq7x';
const box = new SecretBox(randomBytes(32));
const target = { id: 'ldap', accountKey: 'uid', secrets: ['password'] } as unknown as TargetConfig;

function desired(reasons: string[], attributes: Record<string, unknown> = { uid: 'ada', title: 'Engineer', password: MAPPED }, enabled = true): DesiredAccount {
  return {
    target: 'ldap', identityId: 'E1', present: true, enabled, reasons, attributes, entitlements: [],
    explanations: [{ subject: 'attribute:password', rule: 'mapping', detail: `${JSON.stringify(attributes.password)} from \`...\`` }],
  };
}

/** A link as reconcile makes it: the target's attributes, never its secret. */
function adopted(enabled: boolean, attributes: Record<string, unknown> = { uid: 'ada', title: 'Engineer' }): LinkedAccount {
  return {
    target: 'ldap', identityId: 'E1', accountId: 'uuid-ada', attributes, entitlements: [], enabled,
    createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...(enabled ? {} : { disabledAt: NOW.toISOString() }),
  };
}

/** hide, diff, seal, as Planning does. */
function planned(want: DesiredAccount, link: LinkedAccount | undefined): { changes: Change[]; hidden: DesiredAccount } {
  const secrets = new SecretAttributes(box, [target]);
  const [hidden] = secrets.hide([want], () => link);
  const out: Change[] = [];
  diffAccount(hidden!, link, target, out);
  return { changes: secrets.seal(out), hidden: hidden! };
}

const fingerprint = box.fingerprint('ldap', 'password', MAPPED);

describe('an adopted account (its link holds no secret): planning', () => {
  it('simply active: no plan writes its secret, and explain shows none', () => {
    const { changes, hidden } = planned(desired(['active']), adopted(true));
    expect(changes).toEqual([]);
    expect(Object.hasOwn(hidden.attributes, 'password')).toBe(false);
    expect(JSON.stringify(hidden)).not.toContain(MAPPED);
  });

  it('rehired: the enable carries the mapped secret\'s fingerprint and sealed value, and no update writes it', () => {
    const { changes } = planned(desired(['rehire']), adopted(false));
    expect(changes.map((c) => c.action)).toEqual(['enable']);
    const [enable] = changes;
    expect(enable!.after).toMatchObject({ accountId: 'uuid-ada', enabled: true, attributes: { password: fingerprint } });
    expect(enable!.after?.sealed?.password).toEqual(expect.any(String));
    expect(JSON.stringify(changes)).not.toContain(MAPPED);
  });

  it('back from leave (neither joiner nor rehire): the enable carries it too (the connector decides by users.passwordOnEnable)', () => {
    const { changes } = planned(desired(['active']), adopted(false));
    expect(changes.map((c) => c.action)).toEqual(['enable']);
    expect(changes[0]!.after?.attributes).toEqual({ password: fingerprint });
  });

  it('rehired with other attributes changed: the update leaves the secret out, the enable carries it', () => {
    const { changes } = planned(desired(['rehire'], { uid: 'ada', title: 'Lead', password: MAPPED }), adopted(false));
    expect(changes.map((c) => c.action)).toEqual(['update', 'enable']);
    expect(changes[0]!.after?.attributes).toEqual({ title: 'Lead' });
    expect(changes[0]!.after?.sealed).toBeUndefined();
    expect(changes[1]!.after?.attributes).toEqual({ password: fingerprint });
  });

  it('a joiner\'s first-day enable carries none, and writes none', () => {
    const { changes } = planned(desired(['joiner']), adopted(false));
    expect(changes).toEqual([expect.objectContaining({ action: 'enable', after: { accountId: 'uuid-ada', enabled: true } })]);
  });

  it('a rehire whose mapping gives no value: a bare enable (the connector removes the former password)', () => {
    const { changes } = planned(desired(['rehire'], { uid: 'ada', title: 'Engineer', password: null }), adopted(false));
    expect(changes).toEqual([expect.objectContaining({ action: 'enable', after: { accountId: 'uuid-ada', enabled: true } })]);
  });

  it('a leaver (disabled, staying disabled): nothing about its secret', () => {
    expect(planned(desired(['leaver.terminated'], undefined, false), adopted(false)).changes).toEqual([]);
  });

  it('the diff alone never updates a secret a link holds nothing for', () => {
    const out: Change[] = [];
    diffAccount(desired(['active'], { uid: 'ada', title: 'Engineer', password: fingerprint }), adopted(true), target, out);
    expect(out).toEqual([]);
  });
});

/** A connector that records the enable's options and answers as told. */
function connector(result: EnableResult): Connector & { enables: EnableOptions[] } {
  const enables: EnableOptions[] = [];
  return {
    kind: 'fake', capabilities: { entitlements: false } as Connector['capabilities'], enables,
    async check() {},
    async *list() {},
    async get(): Promise<TargetAccount | undefined> { return undefined; },
    async create() { throw new Error('not here'); },
    async update() { throw new Error('not here'); },
    async setEnabled(_id, _enabled, _attributes, options) { enables.push(options ?? {}); return result; },
    async delete() {}, async grant() {}, async revoke() {}, async close() {},
  };
}

function job(change: Change): Job {
  return {
    id: 'j1', planId: 'p1', target: 'ldap', orderingKey: 'ldap:E1', seq: 1, status: 'running', attempts: 1,
    nextRunAt: NOW.toISOString(), createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), change,
  };
}

async function applied(change: Change, link: LinkedAccount, c: Connector): Promise<LinkedAccount | undefined> {
  const effects = await applyChange(job(change), {
    store: { accounts: { async get() { return link; } } } as unknown as Store,
    connector: c, actor: 'test', now: () => NOW, secrets: ['password'],
    unseal: (sealed: string, context: string) => box.unseal(sealed, context),
  });
  expect(JSON.stringify(effects.audit)).not.toContain(MAPPED);
  return effects.upsertAccount;
}

describe('an adopted account (its link holds no secret): the rehire\'s enable applied', () => {
  it('the connector gets the value; written, the link holds the fingerprint, and the next plan has nothing to do', async () => {
    const link = adopted(false);
    const [enable] = planned(desired(['rehire']), link).changes;
    const c = connector({ newPassword: true, secretsWritten: true });
    const after = await applied(enable!, link, c);
    expect(c.enables).toEqual([{ reason: 'rehire', secrets: { password: MAPPED } }]);
    expect(after).toMatchObject({ enabled: true, attributes: { uid: 'ada', title: 'Engineer', password: fingerprint } });
    expect(planned(desired(['rehire']), after).changes).toEqual([]);
    // The mapping changes later: the link's fingerprint is compared, as for a secret Roster set.
    const next = planned(desired(['active'], { uid: 'ada', title: 'Engineer', password: 'Other-E1-Zq7x' }), after).changes;
    expect(next.map((ch) => ch.action)).toEqual(['update']);
  });

  it('not written (users.passwordOnEnable: keep, or a return it does not set one for): the link still holds nothing, and the account keeps its secret', async () => {
    const link = adopted(false);
    const [enable] = planned(desired(['rehire']), link).changes;
    const after = await applied(enable!, link, connector({}));
    expect(after?.enabled).toBe(true);
    expect(Object.hasOwn(after!.attributes, 'password')).toBe(false);
    expect(planned(desired(['active']), after).changes).toEqual([]);
  });

  it('a password of the connector\'s own (AD: newPassword, not the secrets given): the link still holds nothing', async () => {
    const link = adopted(false);
    const [enable] = planned(desired(['rehire']), link).changes;
    const after = await applied(enable!, link, connector({ newPassword: true }));
    expect(after?.enabled).toBe(true);
    expect(Object.hasOwn(after!.attributes, 'password')).toBe(false);
  });
});
