import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import type { TargetAccount } from '../../src/core/types.js';
import type { Connector } from '../../src/connectors/types.js';

export interface ConnectorUnderTest {
  readonly connector: Connector;
  /** The attribute that is the natural key. The target must also map `email` and `displayName`. */
  readonly accountKey: string;
  /**
   * Accounts the paging test creates (default 2,500). A slow target (AD sets
   * a password per create, ~26/s) may use fewer, with a page size set small
   * enough in its setup that the list still crosses several pages.
   */
  readonly pagingAccounts?: number;
  cleanup(): Promise<void>;
}

const TRICKY = {
  key: "zoë.o'brien\"; --",
  email: "x'); DROP TABLE users;--",
  displayName: 'Zoë Ångström 名前 🚀 "quoted" \\back\\ %_ $1 ${env:SECRET}',
};

async function collect(connector: Connector): Promise<TargetAccount[]> {
  const accounts: TargetAccount[] = [];
  for await (const account of connector.list()) accounts.push(account);
  return accounts;
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/**
 * The behaviour every connector promises (src/connectors/types.ts), run
 * against a real or fake target. Each test uses its own account keys.
 */
export function connectorConformance(name: string, setup: () => Promise<ConnectorUnderTest>): void {
  describe(`connector conformance: ${name}`, () => {
    let subject: ConnectorUnderTest;
    let connector: Connector;
    const spec = (key: string, extra: Record<string, unknown> = {}, enabled = true) => ({
      attributes: { [subject.accountKey]: key, email: `${key}@example.com`, displayName: `User ${key}`, ...extra },
      enabled,
    });

    beforeAll(async () => {
      subject = await setup();
      connector = subject.connector;
    });
    afterAll(async () => {
      await subject?.connector.close();
      await subject?.cleanup();
    });

    it('check() succeeds', async () => {
      await expect(connector.check()).resolves.toBeUndefined();
    });

    it('create returns the account, then get and list show it', async () => {
      const created = await connector.create(spec('c.alice'));
      expect(created.attributes[subject.accountKey]).toBe('c.alice');
      expect(created.enabled).toBe(true);
      const got = await connector.get(created.accountId);
      expect(got?.attributes.email).toBe('c.alice@example.com');
      expect(got?.attributes.displayName).toBe('User c.alice');
      const listed = (await collect(connector)).filter((a) => a.accountId === created.accountId);
      expect(listed).toHaveLength(1);
      expect(listed[0]?.attributes.email).toBe('c.alice@example.com');
    });

    it('create twice with the same key gives one account, brought in line with the second spec', async () => {
      const first = await connector.create(spec('c.bob'));
      const second = await connector.create(spec('c.bob', { email: 'bob@new.example.com' }, false));
      expect(second.accountId).toBe(first.accountId);
      const all = (await collect(connector)).filter((a) => a.attributes[subject.accountKey] === 'c.bob');
      expect(all).toHaveLength(1);
      expect(all[0]?.attributes.email).toBe('bob@new.example.com');
      if (connector.capabilities.disable) expect(all[0]?.enabled).toBe(false);
    });

    it('get of an unknown account is undefined', async () => {
      await expect(connector.get('c.nobody-here')).resolves.toBeUndefined();
    });

    it('update sets only the given attributes; null clears one', async () => {
      const { accountId } = await connector.create(spec('c.carol'));
      await connector.update(accountId, { email: 'carol@changed.example.com' });
      let got = await connector.get(accountId);
      expect(got?.attributes.email).toBe('carol@changed.example.com');
      expect(got?.attributes.displayName).toBe('User c.carol');
      await connector.update(accountId, { displayName: null });
      got = await connector.get(accountId);
      expect(got?.attributes.displayName ?? null).toBeNull();
      expect(got?.attributes.email).toBe('carol@changed.example.com');
    });

    it('update of an unknown account fails with target.not_found', async () => {
      const error = await connector.update('c.ghost', { email: 'g@example.com' }).catch((e: unknown) => e);
      expect(isRosterError(error, 'target.not_found')).toBe(true);
    });

    it('setEnabled disables and enables (or is refused when the target cannot disable)', async () => {
      const { accountId } = await connector.create(spec('c.dave'));
      if (!connector.capabilities.disable) {
        await expect(connector.setEnabled(accountId, false)).rejects.toThrow();
        return;
      }
      await connector.setEnabled(accountId, false);
      expect((await connector.get(accountId))?.enabled).toBe(false);
      await connector.setEnabled(accountId, false);
      expect((await connector.get(accountId))?.enabled).toBe(false);
      await connector.setEnabled(accountId, true);
      expect((await connector.get(accountId))?.enabled).toBe(true);
    });

    it('grant twice gives one membership; revoke is idempotent', async () => {
      const { accountId } = await connector.create(spec('c.erin'));
      if (!connector.capabilities.entitlements) {
        await expect(connector.grant(accountId, 'admins')).rejects.toThrow();
        return;
      }
      await connector.grant(accountId, 'engineers');
      await connector.grant(accountId, 'engineers');
      await connector.grant(accountId, 'admins');
      expect([...((await connector.get(accountId))?.entitlements ?? [])].sort()).toEqual(['admins', 'engineers']);
      await connector.revoke(accountId, 'never-granted');
      await connector.revoke(accountId, 'admins');
      await connector.revoke(accountId, 'admins');
      expect((await connector.get(accountId))?.entitlements).toEqual(['engineers']);
      const listed = (await collect(connector)).find((a) => a.accountId === accountId);
      expect(listed?.entitlements).toEqual(['engineers']);
    });

    it('grant to an unknown account fails with target.not_found', async () => {
      const error = await connector.grant('c.ghost', 'engineers').catch((e: unknown) => e);
      expect(connector.capabilities.entitlements ? isRosterError(error, 'target.not_found') : error instanceof Error).toBe(true);
    });

    it('delete removes the account (and its memberships); deleting twice is fine', async () => {
      const { accountId } = await connector.create(spec('c.frank'));
      if (connector.capabilities.entitlements) await connector.grant(accountId, 'engineers');
      await connector.delete(accountId);
      expect(await connector.get(accountId)).toBeUndefined();
      await expect(connector.delete(accountId)).resolves.toBeUndefined();
      const again = await connector.create(spec('c.frank'));
      expect((await connector.get(again.accountId))?.entitlements).toEqual([]);
    });

    it('Unicode and injection-looking values round-trip exactly', async () => {
      const created = await connector.create({
        attributes: { [subject.accountKey]: TRICKY.key, email: TRICKY.email, displayName: TRICKY.displayName },
        enabled: true,
      });
      const got = await connector.get(created.accountId);
      expect(got?.attributes[subject.accountKey]).toBe(TRICKY.key);
      expect(got?.attributes.email).toBe(TRICKY.email);
      expect(got?.attributes.displayName).toBe(TRICKY.displayName);
      if (connector.capabilities.entitlements) {
        await connector.grant(created.accountId, TRICKY.email);
        expect((await connector.get(created.accountId))?.entitlements).toEqual([TRICKY.email]);
      }
      expect((await collect(connector)).some((a) => a.attributes.email === TRICKY.email)).toBe(true);
    });

    it('list pages through more than one page, every account exactly once with its entitlements', async () => {
      const count = subject.pagingAccounts ?? 2500;
      const keys = Array.from({ length: count }, (_, i) => `p.${String(i).padStart(5, '0')}`);
      const ids = new Map<string, string>();
      await inBatches(keys, 25, async (key) => ids.set(key, (await connector.create(spec(key))).accountId));
      const picks = [0, 0.4, 0.4 + 1 / count, 0.8, 0.8 + 1 / count, 1].map((f) => Math.min(count - 1, Math.floor(f * (count - 1))));
      const granted = [...new Set(picks)].map((i) => ids.get(keys[i] ?? '') ?? '');
      if (connector.capabilities.entitlements) await inBatches(granted, 6, (id) => connector.grant(id, 'paged'));
      const listed = await collect(connector);
      const seen = new Set(listed.map((a) => a.accountId));
      expect(seen.size).toBe(listed.length);
      for (const id of ids.values()) expect(seen.has(id)).toBe(true);
      if (connector.capabilities.entitlements) {
        const withPaged = listed.filter((a) => a.entitlements.includes('paged')).map((a) => a.accountId).sort();
        expect(withPaged).toEqual([...granted].sort());
      }
    });
  });
}
