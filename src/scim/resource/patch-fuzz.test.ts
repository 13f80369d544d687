import { describe, expect, it } from 'vitest';
import { RosterError } from '../../core/errors.js';
import { seededRandom, type Random } from '../../demo/random.js';
import { applyPatch } from './patch.js';
import { ACME, deepFreeze, ENTERPRISE, GROUP, PATCH_OP, USER } from './patch-test-schemas.js';

/** RFC 7644 §3.12 types a PATCH may answer with; the fuzz bodies reach all but tooMany (see patch-rules.test.ts). */
const SCIM_TYPES = new Set(['invalidSyntax', 'invalidPath', 'noTarget', 'invalidValue', 'mutability']);
const ALLOWED = new Set([...SCIM_TYPES, 'tooMany']);
const PATHS = [
  'userName', 'USERNAME', 'name', 'name.givenName', 'Name.FamilyName', 'active', 'title', 'emails', 'emails.value', 'emails.primary',
  'emails[type eq "work"]', 'emails[type eq "work"].value', 'emails[type eq "work" and primary eq true]', 'emails[value co "@"].display',
  'emails[not (type eq "home")]', 'emails[primary eq "True"].type', 'members', 'members[value eq "u1"]', 'members[value eq "u1"].display',
  'addresses[type eq "work"].streetAddress', 'groups', 'id', 'meta', 'meta.version', 'schemas', 'displayName', 'externalId',
  `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:employeeNumber`, ENTERPRISE, ACME, `${ACME}:level`, `${ACME}:hired`,
  `${ACME}:tags`, `${ACME}:tags[value sw "a"]`, `${ACME}:badge`, `${ACME}:clearance`, `${ACME}:contractor`,
  '__proto__', 'constructor', 'constructor.prototype', '__proto__.x', 'emails[__proto__ eq "x"]', 'toString', 'hasOwnProperty',
  'emails[', 'emails]', 'emails[type eq "a"]]', 'emails[[type eq "a"]]', 'emails[type eq "a"].', 'name..x', 'urn:', 'urn:x:y', ':', '.', '',
  ' ', 'emails[type eq "a]"].value', 'emails[type eq "work"] or x pr', 'a'.repeat(300), 'emails[value eq "\\u0000"]', 'x'.repeat(20_000),
];
const KEYS = [
  'userName', 'name', 'name.givenName', 'active', 'emails', 'members', 'id', 'meta', 'schemas', 'groups', 'displayName', 'value', 'type',
  'primary', 'display', '$ref', 'givenName', ENTERPRISE, ACME, `${ENTERPRISE}:manager`, 'level', 'hired', 'tags', 'badge',
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'emails[type eq "work"]', 'Operations', 'op', 'path',
];
const STRINGS = ['', 'x', 'True', 'false', 'FALSE', 'yes', '42', '-1.5', '1e400', 'NaN', '2026-01-02T03:04:05Z', '2026-02-31', 'u1', 'work', '\u0000', '__proto__'];

function value(random: Random, depth: number): unknown {
  const roll = random.next();
  if (roll < 0.15) return random.pick(STRINGS);
  if (roll < 0.22) return random.pick([0, 1, -1, 1.5, 2 ** 60, Number.MAX_VALUE]);
  if (roll < 0.3) return random.next() < 0.5;
  if (roll < 0.36) return null;
  if (depth > 3 || roll < 0.6) return random.pick(STRINGS);
  if (roll < 0.8) return Array.from({ length: Math.floor(random.next() * 4) }, () => value(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random.next() * 4); i > 0; i -= 1) Object.defineProperty(object, random.pick(KEYS), { value: value(random, depth + 1), enumerable: true, configurable: true, writable: true });
  return object;
}

function operation(random: Random): unknown {
  if (random.next() < 0.05) return value(random, 2);
  const op: Record<string, unknown> = {};
  const name = random.next() < 0.95 ? random.pick(['add', 'replace', 'remove', 'Add', 'Replace', 'REMOVE']) : random.pick(['move', '', 1, null, 'omit']);
  if (name !== 'omit') op[random.next() < 0.1 ? 'OP' : 'op'] = name;
  if (random.next() < 0.8) op.path = random.next() < 0.95 ? random.pick(PATHS) : value(random, 3);
  if (random.next() < 0.85) op.value = value(random, 0);
  return op;
}

function body(random: Random): unknown {
  const roll = random.next();
  if (roll < 0.03) return value(random, 0);
  const schemas = roll < 0.06 ? value(random, 2) : [PATCH_OP];
  const operations = roll < 0.09 ? value(random, 2) : Array.from({ length: 1 + Math.floor(random.next() * 3) }, () => operation(random));
  return { schemas, [random.next() < 0.2 ? 'operations' : 'Operations']: operations };
}

const USER_DATA = deepFreeze({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [{ value: 'b@work.example', type: 'work', primary: true }, { value: 'b@home.example', type: 'home' }],
  groups: [{ value: 'g1' }],
  [ENTERPRISE]: { manager: { value: 'm1' } },
});
const GROUP_DATA = deepFreeze({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: [{ value: 'u1' }, { value: 'u2' }] });

/** Every top-level key a result may have: canonical attribute names and extension URNs. */
const CANONICAL = new Set(
  [USER, GROUP].flatMap((schema) => [...schema.core.attributes.map((item) => item.name), ...(schema.extensions ?? []).map((extension) => extension.id)]),
);

describe('applyPatch fuzz', () => {
  it('answers 20,000 random bodies with a result or a request.invalid RosterError, nothing else', () => {
    const random = seededRandom(20261127);
    const outcomes = new Map<string, number>();
    const started = Date.now();
    for (let i = 0; i < 20_000; i += 1) {
      const group = random.next() < 0.3;
      const input = body(random);
      let outcome: string;
      try {
        const result = group ? applyPatch(GROUP, GROUP_DATA, input, { id: 'g' }) : applyPatch(USER, USER_DATA, input, { id: 'u' });
        expect(typeof result.changed).toBe('boolean');
        expect(JSON.parse(JSON.stringify(result.data))).toEqual(result.data);
        for (const key of Object.keys(result.data)) expect(CANONICAL.has(key), key).toBe(true);
        outcome = result.changed ? 'changed' : 'unchanged';
      } catch (error) {
        if (!(error instanceof RosterError) || error.code !== 'request.invalid' || !ALLOWED.has(String(error.details?.scimType))) {
          throw new Error(`body #${i} ${JSON.stringify(input)?.slice(0, 500)} threw ${String(error)}`, { cause: error });
        }
        outcome = String(error.details?.scimType);
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // The mix proves the generator reaches past the envelope checks into every outcome.
    for (const outcome of ['changed', 'unchanged', ...SCIM_TYPES]) expect(outcomes.get(outcome) ?? 0, outcome).toBeGreaterThan(200);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
