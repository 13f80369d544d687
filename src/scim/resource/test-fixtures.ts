import type { ScimExtensionConfig } from './types.js';
import { CORE_GROUP_SCHEMA_ID, CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID } from './schemas.js';

/** Test fixtures: the RFC 7643 §8 example resources and the POST /Users bodies real identity providers send. */

const META_2010 = {
  resourceType: 'User',
  created: '2010-01-23T04:56:22Z',
  lastModified: '2011-05-13T04:42:34Z',
  version: 'W/"a330bc54f0671c9"',
  location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
};

/** RFC 7643 §8.1. */
export const RFC_MINIMAL_USER = {
  schemas: [CORE_USER_SCHEMA_ID],
  id: '2819c223-7f76-453a-919d-413861904646',
  userName: 'bjensen@example.com',
  meta: META_2010,
};

/** RFC 7643 §8.2. */
export const RFC_FULL_USER = {
  schemas: [CORE_USER_SCHEMA_ID],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: '701984',
  userName: 'bjensen@example.com',
  name: {
    formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara',
    middleName: 'Jane', honorificPrefix: 'Ms.', honorificSuffix: 'III',
  },
  displayName: 'Babs Jensen',
  nickName: 'Babs',
  profileUrl: 'https://login.example.com/bjensen',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [
    {
      type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608',
      country: 'USA', formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA', primary: true,
    },
    {
      type: 'home', streetAddress: '456 Hollywood Blvd', locality: 'Hollywood', region: 'CA', postalCode: '91608',
      country: 'USA', formatted: '456 Hollywood Blvd\nHollywood, CA 91608 USA',
    },
  ],
  phoneNumbers: [{ value: '555-555-5555', type: 'work' }, { value: '555-555-4444', type: 'mobile' }],
  ims: [{ value: 'someaimhandle', type: 'aim' }],
  photos: [
    { value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo' },
    { value: 'https://photos.example.com/profilephoto/72930000000Ccne/T', type: 'thumbnail' },
  ],
  userType: 'Employee',
  title: 'Tour Guide',
  preferredLanguage: 'en-US',
  locale: 'en-US',
  timezone: 'America/Los_Angeles',
  active: true,
  password: 't1meMa$heen',
  groups: [
    { value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', $ref: 'https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' },
    { value: 'fc348aa8-3835-40eb-a20b-c726e15c55b5', $ref: 'https://example.com/v2/Groups/fc348aa8-3835-40eb-a20b-c726e15c55b5', display: 'Employees' },
  ],
  x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx' }],
  meta: META_2010,
};

/** RFC 7643 §8.3: the full user with the Enterprise User extension. */
export const RFC_ENTERPRISE_USER = {
  ...RFC_FULL_USER,
  schemas: [CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID],
  [ENTERPRISE_USER_SCHEMA_ID]: {
    employeeNumber: '701984',
    costCenter: '4130',
    organization: 'Universal Studios',
    division: 'Theme Park',
    department: 'Tour Operations',
    manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', $ref: '../Users/26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
  },
};

/** RFC 7643 §8.4. */
export const RFC_GROUP = {
  schemas: [CORE_GROUP_SCHEMA_ID],
  id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
  displayName: 'Tour Guides',
  members: [
    { value: '2819c223-7f76-453a-919d-413861904646', $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646', display: 'Babs Jensen' },
    { value: '902c246b-6245-4190-8e05-00816be7344a', $ref: 'https://example.com/v2/Users/902c246b-6245-4190-8e05-00816be7344a', display: 'Mandy Pepperidge' },
  ],
  meta: {
    resourceType: 'Group',
    created: '2010-01-23T04:56:22Z',
    lastModified: '2011-05-13T04:42:34Z',
    version: 'W/"3694e05e9dff592"',
    location: 'https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a',
  },
};

/**
 * Microsoft Entra ID's POST /Users, as its SCIM endpoint guide shows it, with
 * what Entra adds in practice: the enterprise extension, a custom extension
 * URN this server does not know, and booleans sent as "True".
 */
export const ENTRA_POST_USER = {
  schemas: [CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
  active: 'True',
  emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
  [ENTERPRISE_USER_SCHEMA_ID]: { department: 'Finance', manager: { value: 'Test_Manager_1' } },
  'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User': { CustomAttribute: 'x' },
};

/** Okta's POST /Users, as its SCIM 2.0 guide shows it (password and an empty groups list included). */
export const OKTA_POST_USER = {
  schemas: [CORE_USER_SCHEMA_ID],
  userName: 'test.user@okta.local',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
};

export const ACME_ID = 'urn:example:acme:2.0:User';

/** A custom User extension with one attribute of each kind the rules treat apart. */
export const ACME_EXTENSION: ScimExtensionConfig = {
  id: ACME_ID,
  attributes: [
    { name: 'badge', type: 'string', mutability: 'immutable', returned: 'always' },
    { name: 'clearance', type: 'string', returned: 'request' },
    { name: 'level', type: 'integer' },
    { name: 'score', type: 'decimal' },
    { name: 'hired', type: 'dateTime' },
    { name: 'tags', type: 'string', multiValued: true },
    { name: 'pin', type: 'string', mutability: 'writeOnly' },
    { name: 'audited', type: 'string', mutability: 'readOnly' },
    { name: 'constructor', type: 'string' },
    {
      name: 'site',
      type: 'complex',
      subAttributes: [
        { name: 'code', type: 'string', required: true },
        { name: 'floor', type: 'integer' },
        { name: 'secret', type: 'string', returned: 'request' },
      ],
    },
  ],
};
