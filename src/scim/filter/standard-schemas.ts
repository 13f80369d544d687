import { attribute, type ScimAttribute, type ScimResourceSchema } from './schema.js';

/** RFC 7643 schemas, reduced to what filtering needs (name, type, multiValued, caseExact). */
export const CORE_USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const s = (name: string, caseExact = false): ScimAttribute => attribute(name, 'string', { caseExact });
const ref = (name: string): ScimAttribute => attribute(name, 'reference', { caseExact: true });

/** `id`, `externalId`, `meta`, `schemas` (RFC 7643 §3.1). */
export const COMMON_ATTRIBUTES: readonly ScimAttribute[] = [
  s('id', true),
  s('externalId', true),
  attribute('schemas', 'reference', { multiValued: true, caseExact: true }),
  attribute('meta', 'complex', {
    subAttributes: [s('resourceType', true), attribute('created', 'dateTime'), attribute('lastModified', 'dateTime'), ref('location'), s('version', true)],
  }),
];

const multi = (name: string, extra: readonly ScimAttribute[] = []): ScimAttribute =>
  attribute(name, 'complex', {
    multiValued: true,
    subAttributes: [s('value'), s('display'), s('type'), attribute('primary', 'boolean'), ...extra],
  });

export const USER_SCHEMA: ScimResourceSchema = {
  core: {
    id: CORE_USER_SCHEMA_ID,
    attributes: [
      ...COMMON_ATTRIBUTES,
      s('userName'),
      attribute('name', 'complex', {
        subAttributes: [s('formatted'), s('familyName'), s('givenName'), s('middleName'), s('honorificPrefix'), s('honorificSuffix')],
      }),
      s('displayName'),
      s('nickName'),
      ref('profileUrl'),
      s('title'),
      s('userType'),
      s('preferredLanguage'),
      s('locale'),
      s('timezone'),
      attribute('active', 'boolean'),
      multi('emails'),
      multi('phoneNumbers'),
      multi('ims'),
      multi('photos'),
      attribute('addresses', 'complex', {
        multiValued: true,
        subAttributes: [s('formatted'), s('streetAddress'), s('locality'), s('region'), s('postalCode'), s('country'), s('type'), attribute('primary', 'boolean')],
      }),
      multi('groups', [ref('$ref')]),
      multi('entitlements'),
      multi('roles'),
      multi('x509Certificates'),
    ],
  },
  extensions: [
    {
      id: ENTERPRISE_USER_SCHEMA_ID,
      attributes: [
        s('employeeNumber'),
        s('costCenter'),
        s('organization'),
        s('division'),
        s('department'),
        attribute('manager', 'complex', { subAttributes: [s('value'), ref('$ref'), s('displayName')] }),
      ],
    },
  ],
};

export const GROUP_SCHEMA: ScimResourceSchema = {
  core: {
    id: CORE_GROUP_SCHEMA_ID,
    attributes: [
      ...COMMON_ATTRIBUTES,
      s('displayName'),
      attribute('members', 'complex', { multiValued: true, subAttributes: [s('value', true), ref('$ref'), s('display'), s('type')] }),
    ],
  },
};
