import { CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, USER_SCHEMA } from './standard-schemas.js';
import { attribute, type ScimResourceSchema } from './schema.js';

/** Test fixtures: a schema with an extra extension carrying numbers, and ~20 users that exercise every operator. */
export const ROSTER_EXTENSION_ID = 'urn:example:roster:1.0:User';

export const TEST_SCHEMA: ScimResourceSchema = {
  core: USER_SCHEMA.core,
  extensions: [
    ...(USER_SCHEMA.extensions ?? []),
    {
      id: ROSTER_EXTENSION_ID,
      attributes: [attribute('level', 'integer'), attribute('score', 'decimal'), attribute('tags', 'string', { multiValued: true })],
    },
  ],
};

type Json = Readonly<Record<string, unknown>>;

const handmade: readonly Json[] = [
  {
    id: 'u01', userName: 'bjensen', name: { familyName: 'Jensen', givenName: 'Barbara' }, title: 'Tour Guide', userType: 'Employee', active: true,
    emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
    meta: { created: '2010-01-23T04:56:22.000Z', lastModified: '2011-05-13T04:42:34.000Z' },
    schemas: [CORE_USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID],
    [ENTERPRISE_USER_SCHEMA_ID]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: 'u02', displayName: 'John Smith' } },
    [ROSTER_EXTENSION_ID]: { level: 3, score: 4.5, tags: ['blue', 'Green'] },
  },
  {
    id: 'u02', userName: 'JSmith', name: { familyName: 'Smith', givenName: 'John' }, title: '', userType: 'Employee', active: false,
    emails: [{ value: 'john@example.org', type: 'work' }], meta: { lastModified: '2012-01-01T00:00:00.000Z' },
    schemas: [CORE_USER_SCHEMA_ID], [ROSTER_EXTENSION_ID]: { level: 10, score: 0.5 },
  },
  {
    id: 'u03', userName: 'omalley', name: { familyName: "O'Malley" }, title: null, userType: 'Intern',
    emails: [{ value: 'omalley@Example.COM', type: 'work' }], meta: { lastModified: '2011-05-13T04:42:33.999Z' },
    [ROSTER_EXTENSION_ID]: { level: 1 },
  },
  {
    id: 'u04', userName: 'split', userType: 'Employee', active: true,
    emails: [{ type: 'work', value: 'w@other.net' }, { type: 'home', value: 'h@example.com' }],
    meta: { lastModified: '2011-05-13T04:42:35.000Z' },
  },
  { id: 'u05', userName: "x' OR '1'='1", userType: "Employee'--" },
  { id: 'u06', userName: '100%_sure' },
  { id: 'u07', userName: '100xxsure' },
  { id: 'u08', userName: 'back\\slash' },
  {
    id: 'u09', userName: 'xmppuser', externalId: 'Ext*[1]?',
    ims: [{ type: 'xmpp', value: 'u9@foo.com' }], emails: [{ type: 'home', value: 'u9@example.com' }],
  },
  { id: 'u10', userName: 'minimal', externalId: 'ext-10', title: 'Boss', emails: [], name: {}, [ROSTER_EXTENSION_ID]: { tags: [] } },
];

const generated: readonly Json[] = Array.from({ length: 10 }, (_, i) => {
  const n = i + 11;
  return {
    id: `u${n}`, userName: `user${n}`, userType: 'Contractor', active: n % 2 === 0,
    emails: [{ value: `user${n}@corp.example`, type: 'work' }],
    meta: { lastModified: `2020-01-${n}T00:00:00.000Z` },
    [ROSTER_EXTENSION_ID]: { level: n },
  };
});

export const TEST_USERS: readonly Json[] = [...handmade, ...generated];

/** `u11` … `u20`, the generated contractors; `even`/`odd` by number. */
export function contractors(which: 'all' | 'even' | 'odd' = 'all'): string[] {
  return Array.from({ length: 10 }, (_, i) => i + 11)
    .filter((n) => which === 'all' || (n % 2 === 0) === (which === 'even'))
    .map((n) => `u${n}`);
}
