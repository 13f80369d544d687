import { isRosterError } from '../../core/errors.js';
import { attribute, GROUP_SCHEMA, USER_SCHEMA, type ScimAttribute, type ScimResourceSchema, type ScimSchema } from '../filter/index.js';

/**
 * Test fixtures for the PATCH tests: the standard User and Group schemas with
 * the RFC 7643 characteristics PATCH reads (id/meta/groups readOnly, userName
 * and members.value required) and a custom extension exercising every type.
 */
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User';

type Characteristics = Pick<ScimAttribute, 'mutability' | 'required'>;

function characterise(schema: ScimSchema, marks: Readonly<Record<string, Characteristics>>): ScimSchema {
  const mark = (item: ScimAttribute, prefix: string): ScimAttribute => ({
    ...item,
    ...marks[`${prefix}${item.name}`],
    ...(item.subAttributes === undefined ? {} : { subAttributes: item.subAttributes.map((sub) => mark(sub, `${prefix}${item.name}.`)) }),
  });
  return { ...schema, attributes: schema.attributes.map((item) => mark(item, '')) };
}

const ACME_SCHEMA: ScimSchema = {
  id: ACME,
  attributes: [
    { ...attribute('badge', 'string'), mutability: 'immutable' },
    attribute('level', 'integer'),
    attribute('score', 'decimal'),
    attribute('hired', 'dateTime'),
    attribute('contractor', 'boolean'),
    attribute('tags', 'string', { multiValued: true }),
    { ...attribute('clearance', 'string'), mutability: 'readOnly' },
  ],
};

export const USER: ScimResourceSchema = {
  core: characterise(USER_SCHEMA.core, {
    id: { mutability: 'readOnly' },
    meta: { mutability: 'readOnly' },
    userName: { required: true },
    groups: { mutability: 'readOnly' },
  }),
  extensions: [...(USER_SCHEMA.extensions ?? []), ACME_SCHEMA],
};

export const GROUP: ScimResourceSchema = {
  core: characterise(GROUP_SCHEMA.core, {
    id: { mutability: 'readOnly' },
    meta: { mutability: 'readOnly' },
    displayName: { required: true },
    'members.value': { mutability: 'immutable' },
  }),
};

/** A PatchOp body around the operations. */
export function patchBody(...operations: readonly unknown[]): { schemas: string[]; Operations: unknown[] } {
  return { schemas: [PATCH_OP], Operations: [...operations] };
}

/** The scimType `run` fails with, or 'ok' when it does not fail; any other error is rethrown. */
export function scimTypeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isRosterError(error, 'request.invalid')) return String(error.details?.scimType);
    throw error;
  }
  return 'ok';
}

/** Freezes a JSON value all the way down, so a test proves the input is never changed. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const entry of Object.values(value)) deepFreeze(entry);
    Object.freeze(value);
  }
  return value;
}
