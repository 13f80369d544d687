/**
 * Cheap generators of SCIM filters and PATCH bodies for the fuzz test, driven
 * by the shared seeded PRNG, so a failure prints a seed that replays it.
 */
import { pick, type Random } from '../../src/scim/testing/fuzz.js';

export { seeded, type Random } from '../../src/scim/testing/fuzz.js';

const KNOWN_PATHS = [
  'userName', 'name.givenName', 'name.familyName', 'displayName', 'title', 'active', 'emails', 'emails.value', 'emails.type',
  'emails.primary', 'id', 'externalId', 'meta.created', 'meta.lastModified', 'meta.resourceType', 'groups', 'addresses.postalCode',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName', 'x509Certificates.value', 'phoneNumbers[type eq "work"].value',
];
const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'Co', 'pr', 'xx', 'eqq', '=='];
const JUNK = ['(', ')', '[', ']', '"', '\\', ' and ', ' or ', 'not ', '.', ':', ',', '\u0000', '\n', '$', '%', '\'', '{', '}'];

/** A code point from several planes, never a lone surrogate (those cannot be URL-encoded). */
function codePoint(random: Random): string {
  const ranges: [number, number][] = [[0x20, 0x7e], [0x00, 0x1f], [0xa0, 0x24f], [0x400, 0x4ff], [0x4e00, 0x9fff], [0x1f300, 0x1f6ff], [0xe000, 0xf8ff]];
  const [low, high] = pick(random, ranges);
  return String.fromCodePoint(low + Math.floor(random() * (high - low + 1)));
}

export function randomText(random: Random, maxLength = 12): string {
  const roll = random();
  if (roll < 0.01) return 'x'.repeat(5_000 + Math.floor(random() * 15_000));
  let text = '';
  const length = Math.floor(random() * maxLength);
  for (let i = 0; i < length; i += 1) text += codePoint(random);
  return text;
}

function attributeName(random: Random): string {
  const roll = random();
  if (roll < 0.7) return pick(random, KNOWN_PATHS);
  if (roll < 0.85) return Array.from({ length: 1 + Math.floor(random() * 10) }, () => pick(random, [...'abcXYZ09_-$.:'])).join('');
  return randomText(random, 8);
}

function literal(random: Random): string {
  const roll = random();
  if (roll < 0.45) return JSON.stringify(randomText(random));
  if (roll < 0.55) return pick(random, ['true', 'false', 'null', 'True', 'FALSE']);
  if (roll < 0.7) return String(Math.floor((random() - 0.5) * 1e6) / pick(random, [1, 10, 1000]));
  if (roll < 0.8) return JSON.stringify(new Date(Math.floor(random() * 4e12)).toISOString());
  if (roll < 0.9) return pick(random, ['1e309', '-0', '"unterminated', '"\\uZZZZ"', '"\\', '0x10', 'NaN']);
  return randomText(random, 6);
}

function comparison(random: Random): string {
  const op = pick(random, OPERATORS);
  return op.toLowerCase() === 'pr' ? `${attributeName(random)} ${op}` : `${attributeName(random)} ${op} ${literal(random)}`;
}

function expression(random: Random, depth: number): string {
  const roll = random();
  if (depth > 3 || roll < 0.4) return comparison(random);
  if (roll < 0.55) return `${expression(random, depth + 1)} ${pick(random, ['and', 'or', 'AND', 'Or'])} ${expression(random, depth + 1)}`;
  if (roll < 0.65) return `not (${expression(random, depth + 1)})`;
  if (roll < 0.75) return `(${expression(random, depth + 1)})`;
  if (roll < 0.9) return `${pick(random, ['emails', 'addresses', 'members', 'phoneNumbers', 'name', 'bogus'])}[${expression(random, depth + 1)}]`;
  return '('.repeat(Math.floor(random() * 80)) + comparison(random) + ')'.repeat(Math.floor(random() * 80));
}

/** Mostly grammatical, often broken: a character dropped, junk inserted, the text cut. */
export function randomFilter(random: Random): string {
  // Edited by code point, so an emoji is never split into a lone surrogate.
  const points = Array.from(expression(random, 0));
  const roll = random();
  if (roll < 0.15) points.splice(Math.floor(random() * points.length), 1);
  else if (roll < 0.3) points.splice(Math.floor(random() * (points.length + 1)), 0, pick(random, JUNK));
  else if (roll < 0.38) points.length = Math.floor(random() * points.length);
  return points.join('');
}

function randomValue(random: Random, depth: number): unknown {
  const roll = random();
  if (depth > 2 || roll < 0.35) return pick(random, [randomText(random), true, false, 'False', 'True', null, 42, -1.5, '']);
  if (roll < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  const keys = Math.floor(random() * 4);
  for (let i = 0; i < keys; i += 1) object[random() < 0.7 ? pick(random, ['value', 'type', 'primary', 'display', ...KNOWN_PATHS]) : randomText(random, 6)] = randomValue(random, depth + 1);
  return object;
}

function patchPath(random: Random): string | undefined {
  const roll = random();
  if (roll < 0.15) return undefined;
  if (roll < 0.75) return attributeName(random);
  if (roll < 0.9) return `${pick(random, ['emails', 'members', 'addresses'])}[${randomFilter(random)}]${random() < 0.5 ? '.value' : ''}`;
  return randomText(random, 10);
}

/** A PATCH body: usually well formed, sometimes not a PatchOp at all. */
export function randomPatchBody(random: Random): unknown {
  const roll = random();
  if (roll < 0.05) return randomValue(random, 0);
  if (roll < 0.1) return { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: randomValue(random, 1) };
  const operations = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
    const op: Record<string, unknown> = { op: pick(random, ['add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'move', '', 'ADD']) };
    const path = patchPath(random);
    if (path !== undefined) op.path = path;
    if (random() < 0.85) op.value = randomValue(random, 0);
    return op;
  });
  return { schemas: random() < 0.95 ? ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] : ['urn:bogus'], Operations: operations };
}
