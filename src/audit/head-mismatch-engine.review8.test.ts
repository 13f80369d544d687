import { describe, expect, it } from 'vitest';
import { pushToMemoryYaml, useEngineDir } from '../../test/support/engine-dir.js';
import type { Logger } from '../connectors/types.js';
import { AUDIT_HEAD_KEY } from './head.js';
import { HEAD_MISMATCH_KIND } from './mismatch.js';

/**
 * The engine warns when one of its appends recorded a head mismatch (the
 * operator learns of it without running verify), with the seq and hashes
 * only: never the stored head's text, which could hold anything.
 */
describe.each(['sqlite', 'postgres'] as const)('the engine warns of a recorded head mismatch (review8, %s)', (dialect) => {
  const dir = useEngineDir('review8-mismatch-warn');

  it('logs one warning naming the entry; none for ordinary appends', async () => {
    const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
    const log: Logger = { debug() {}, info() {}, error() {}, warn: (message, fields) => warnings.push({ message, fields }) };
    const engine = await dir.open(pushToMemoryYaml(await dir.store(dialect, 'roster_r8_warn')), { log });
    await engine.plan();
    expect(warnings).toEqual([]);
    await engine.store.state.set(AUDIT_HEAD_KEY, { password: 'hunter2' });
    await engine.plan({ actor: 'cli:alice' });
    await engine.plan();
    const [recorded] = await engine.store.audit.list({ kind: HEAD_MISMATCH_KIND });
    expect(recorded).toMatchObject({ seq: 2, data: { head: 'malformed', log: { seq: 1 } } });
    expect(warnings).toEqual([{
      message: expect.stringContaining('audit.head_mismatch'),
      fields: { seq: 2, head: 'malformed', log: { seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }, found: expect.stringContaining('malformed') },
    }]);
    expect(JSON.stringify(warnings)).not.toContain('hunter2');
  });
});
