import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../core/errors.js';
import { pick, seeded, type Random } from '../testing/fuzz.js';
import { prepareResource } from './prepare.js';
import { createScimRegistry } from './registry.js';
import { CORE_GROUP_SCHEMA_ID, CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID } from './schemas.js';
import { ACME_EXTENSION, ACME_ID } from './test-fixtures.js';
import type { ScimResourceType } from './types.js';

const ACME = ACME_ID;
const registry = createScimRegistry([ACME_EXTENSION]);
const TYPES = [registry.resourceType('User'), registry.resourceType('Group')] as ScimResourceType[];

const NAMES = [
  'userName', 'USERNAME', 'displayName', 'name', 'givenName', 'emails', 'value', 'primary', 'type', 'active', 'password', 'groups', 'members',
  'id', 'meta', 'externalId', 'schemas', 'title', 'addresses', 'manager', 'department', 'badge', 'level', 'hired', 'tags', 'site', 'code',
  'open', '$ref', 'display', '__proto__', 'constructor', 'prototype', 'toString', 'polluted', 'x', '', ENTERPRISE_USER_SCHEMA_ID, ACME,
  `${ENTERPRISE_USER_SCHEMA_ID}:department`, `${ENTERPRISE_USER_SCHEMA_ID}:manager.value`, `${ACME}:badge`, `${ACME}:site.code`,
  `${CORE_USER_SCHEMA_ID}:userName`, 'urn:unknown:x', CORE_USER_SCHEMA_ID, CORE_GROUP_SCHEMA_ID,
];
const STRINGS = ['', 'a', 'True', 'false', 'work', '2024-01-02T03:04:05Z', '2024-13-45', 'x'.repeat(5000), 'a\u0000b', '\uD800', '😀', CORE_USER_SCHEMA_ID, CORE_GROUP_SCHEMA_ID];

function value(next: Random, depth: number): unknown {
  const roll = next();
  if (depth > 3 || roll < 0.35) return pick<unknown>(next, [...STRINGS, 0, 1, -1, 2.5, 1e300, true, false, null]);
  if (roll < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
  return object(next, depth + 1);
}

function object(next: Random, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = Math.floor(next() * 6);
  for (let i = 0; i < count; i += 1) {
    const name = pick(next, NAMES);
    // defineProperty, so a "__proto__" key is an own property as JSON.parse makes it.
    Object.defineProperty(out, name, { value: value(next, depth), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function body(next: Random, type: ScimResourceType): unknown {
  const roll = next();
  if (roll < 0.03) return value(next, 4);
  const out = object(next, 0);
  if (roll < 0.85) out['schemas'] = next() < 0.5 ? [type.schema.core.id] : [type.schema.core.id, ENTERPRISE_USER_SCHEMA_ID, ACME, 'urn:other'];
  if (roll < 0.7) out[type.uniqueAttribute] = next() < 0.9 ? `n${Math.floor(next() * 1000)}` : value(next, 3);
  return out;
}

const SCIM_TYPES = ['invalidSyntax', 'invalidValue', 'mutability'];

describe('prepareResource fuzz', () => {
  it('20,000 random bodies: a stored form that is a fixed point, or RosterError(request.invalid) with a scimType', () => {
    const next = seeded(0x5c1a);
    const accepted = new Map<ScimResourceType, Record<string, unknown>>();
    const outcomes = { accepted: 0, refused: 0 };
    for (let i = 0; i < 20_000; i += 1) {
      const type = TYPES[i % 2] as ScimResourceType;
      const existing = next() < 0.3 ? accepted.get(type) : undefined;
      let data: Record<string, unknown>;
      try {
        const prepared = prepareResource(type, body(next, type), existing === undefined ? {} : { existing });
        data = prepared.data;
        expect(typeof prepared.uniqueName).toBe('string');
      } catch (error) {
        if (!isRosterError(error, 'request.invalid') || !SCIM_TYPES.includes(error.details?.['scimType'] as string)) {
          throw new Error(`body ${i} threw ${String(error)}`, { cause: error });
        }
        outcomes.refused += 1;
        continue;
      }
      outcomes.accepted += 1;
      expect((data['schemas'] as string[])[0]).toBe(type.schema.core.id);
      expect(JSON.parse(JSON.stringify(data))).toEqual(data);
      expect(prepareResource(type, data, { existing: data }).data).toEqual(data);
      accepted.set(type, data);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // Both paths are exercised, or the fuzz proves little.
    expect(outcomes.accepted).toBeGreaterThan(2000);
    expect(outcomes.refused).toBeGreaterThan(2000);
  });
});
