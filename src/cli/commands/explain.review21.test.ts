import { describe, expect, it } from 'vitest';
import { useEngineDir } from '../../../test/support/engine-dir.js';
import type { TargetConfig } from '../../config/types.js';
import { silentLogger } from '../../core/log.js';
import type { DesiredAccount, Identity, LinkedAccount } from '../../core/types.js';
import type { Explain } from '../../engine/types.js';
import type { CliContext } from '../context.js';
import { createStyle } from '../format.js';
import { explainText } from './explain.js';

/**
 * review21: `roster explain` fills the RULE column of a leaver's attributes
 * (the lifecycle decision that keeps them), aligns its table under wide
 * (CJK) values, and says that a placement record is not acted on once the
 * target keeps placement.
 */
const ctx = { style: createStyle(false, {}) } as CliContext;

const yaml = `
store: sqlite:./roster.db
sources:
  - { id: hr, type: csv, path: ./employees.csv, key: employeeId, fields: { status: status, startDate: startDate, endDate: endDate } }
targets:
  - id: app
    type: memory
    accountKey: username
    attributes: { username: identity.employeeId.lowerAscii(), displayName: identity.displayName }
    safety: { maxDisables: 100%, maxRevokes: 100% }
`;
const csv = (status: string, endDate: string) => `employeeId,displayName,status,startDate,endDate\nE1,ブルース・リー,${status},2026-01-05,${endDate}\n`;

/** The rows of the ATTRIBUTE table, cut where its columns start in the header line (by display columns). */
function attributeRows(text: string): string[][] {
  const lines = text.split('\n');
  const head = lines.findIndex((l) => l.trim().startsWith('ATTRIBUTE'));
  const rows = [];
  for (let i = head + 1; i < lines.length && lines[i]!.startsWith('  ') && !lines[i]!.startsWith('  +') && lines[i]!.trim() !== ''; i++) rows.push(lines[i]!);
  return [lines[head]!, ...rows].map((line) => line.trim().split(/\s{2,}/));
}

describe('review21: roster explain for a leaver', () => {
  const dir = useEngineDir('r21-explain');

  it('names the lifecycle rule that keeps each attribute of a leaver, and aligns the table under a Katakana value', async () => {
    let now = new Date('2026-03-02T09:00:00Z');
    const engine = await dir.open(yaml, { files: { 'employees.csv': csv('active', '') }, log: silentLogger, now: () => now });
    expect((await engine.sync({ actor: 't' })).result).toMatchObject({ failed: 0 });
    dir.write('employees.csv', csv('terminated', '2026-03-01'));
    now = new Date('2026-03-03T09:00:00Z');
    await engine.readSource('hr', 't');
    const text = explainText(await engine.explain('E1'), ctx);
    const rows = attributeRows(text);
    expect(rows[0]).toEqual(['ATTRIBUTE', 'WANTED', 'CURRENT', 'RULE']);
    const kept = 'lifecycle:terminated: kept as it is: a leaver\'s account is not updated (leaver.terminated)';
    expect(rows.slice(1)).toEqual([['username', 'e1', 'e1', kept], ['displayName', 'ブルース・リー', 'ブルース・リー', kept]]);
    // Aligned: each column starts at the same terminal column on every line (ブルース・リー takes fourteen: ・ and ー are wide too).
    const table = text.split('\n').filter((l) => /^\s+(ATTRIBUTE|username|displayName)\s/.test(l));
    const columnOf = (line: string, cell: string) => [...line.slice(0, line.indexOf(cell))].reduce((w, c) => w + ((c.codePointAt(0) ?? 0) >= 0x3000 ? 2 : 1), 0);
    const ruleColumn = columnOf(table[0]!, 'RULE');
    expect(table.slice(1).map((line) => columnOf(line, 'lifecycle:'))).toEqual([ruleColumn, ruleColumn]);
  });
});

describe('review21: roster explain of a placement record', () => {
  const AT = '2026-03-10T00:00:00.000Z';
  const identity: Identity = { id: 'E1', sourceId: 'hr', attributes: {}, state: 'active', version: 1, createdAt: AT, updatedAt: AT };
  const desired: DesiredAccount = {
    target: 'corp-ldap', identityId: 'E1', present: true, enabled: true, attributes: {}, entitlements: [], reasons: ['active'], explanations: [],
  };
  const linked: LinkedAccount = {
    target: 'corp-ldap', identityId: 'E1', accountId: 'u1', attributes: {}, entitlements: [], enabled: true, createdAt: AT, updatedAt: AT,
    placement: { at: 'uid=ann,ou=Elsewhere,dc=example,dc=com', belongs: 'uid=ann,ou=Eng,dc=example,dc=com' },
  };
  const explain: Explain = { identity, effectiveState: 'active', timeline: [], audit: [], accounts: [{ target: 'corp-ldap', desired, linked }] };
  const target = (placement: string) => ({ id: 'corp-ldap', connection: { users: { placement } } }) as unknown as TargetConfig;
  const placementLine = (text: string) => text.split('\n').find((l) => l.includes('placement:'));

  it('says the next plan moves it back only while the target enforces placement', () => {
    expect(placementLine(explainText(explain, ctx, [target('enforce')]))).toBe(
      '  placement: at uid=ann,ou=Elsewhere,dc=example,dc=com, placed at uid=ann,ou=Eng,dc=example,dc=com (placement.drift, found by reconcile): the next plan moves it back');
    const kept = placementLine(explainText(explain, ctx, [target('keep')]));
    expect(kept).toContain('(placement.drift, found by reconcile): not acted on: corp-ldap no longer enforces placement (users.placement: keep), so no plan moves it');
    expect(kept).not.toContain('moves it back');
  });
});
