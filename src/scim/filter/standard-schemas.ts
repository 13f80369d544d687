import { attribute, type ScimAttribute, type ScimResourceSchema } from './schema.js';

/**
 * RFC 7643 schemas: the one definition of each standard attribute. The filter
 * reads name, type, multiValued, caseExact and subAttributes; the SCIM server
 * (src/scim/resource/) also reads the §7 characteristics (required,
 * mutability, returned, uniqueness, canonicalValues, referenceTypes,
 * description) to check bodies, project responses and serve /Schemas.
 */
export const CORE_USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Characteristics = Pick<ScimAttribute, 'required' | 'mutability' | 'returned' | 'uniqueness' | 'canonicalValues' | 'referenceTypes'>;

/** Adds the RFC 7643 §7 characteristics to an attribute literal. */
const def = (base: ScimAttribute, description: string, more: Characteristics = {}): ScimAttribute => ({ ...base, description, ...more });

const s = (name: string, caseExact = false): ScimAttribute => attribute(name, 'string', { caseExact });
const ref = (name: string): ScimAttribute => attribute(name, 'reference', { caseExact: true });
const READ_ONLY: Characteristics = { mutability: 'readOnly' };

/** `id`, `externalId`, `meta`, `schemas` (RFC 7643 §3.1). */
export const COMMON_ATTRIBUTES: readonly ScimAttribute[] = [
  def(s('id', true), 'Unique identifier for the resource, assigned by the service provider.', { mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  def(s('externalId', true), 'Identifier of the resource as defined by the provisioning client.'),
  def(attribute('schemas', 'reference', { multiValued: true, caseExact: true }), 'URIs of the schemas the resource conforms to.', { required: true, returned: 'always' }),
  def(
    attribute('meta', 'complex', {
      subAttributes: [
        def(s('resourceType', true), 'Name of the resource type.', READ_ONLY),
        def(attribute('created', 'dateTime'), 'When the resource was added to the service provider.', READ_ONLY),
        def(attribute('lastModified', 'dateTime'), 'When the resource was last changed.', READ_ONLY),
        def(ref('location'), 'URI of the resource.', { ...READ_ONLY, referenceTypes: ['uri'] }),
        def(s('version', true), 'Version (entity tag) of the resource.', READ_ONLY),
      ],
    }),
    'Resource metadata maintained by the service provider.',
    READ_ONLY,
  ),
];

/** The value / display / type / primary shape of RFC 7643 §2.4 multi-valued attributes. */
const multi = (name: string, description: string, types: readonly string[], extra: readonly ScimAttribute[] = []): ScimAttribute =>
  def(
    attribute(name, 'complex', {
      multiValued: true,
      subAttributes: [
        def(s('value'), `The ${name} value.`),
        def(s('display'), 'A human-readable name, primarily used for display purposes.'),
        def(s('type'), `A label indicating the ${name} value's function.`, { canonicalValues: types }),
        def(attribute('primary', 'boolean'), "Whether this is the primary or preferred value; 'true' appears at most once."),
        ...extra,
      ],
    }),
    description,
  );

const readOnlySubAttributes = (base: ScimAttribute): ScimAttribute => ({
  ...base,
  subAttributes: base.subAttributes?.map((sub) => ({ ...sub, ...READ_ONLY })),
});

export const USER_SCHEMA: ScimResourceSchema = {
  core: {
    id: CORE_USER_SCHEMA_ID,
    name: 'User',
    description: 'User Account',
    attributes: [
      ...COMMON_ATTRIBUTES,
      def(s('userName'), 'Unique identifier for the User, typically used to sign in.', { required: true, uniqueness: 'server' }),
      def(
        attribute('name', 'complex', {
          subAttributes: [
            def(s('formatted'), 'The full name, formatted for display.'),
            def(s('familyName'), 'The family name (last name in most Western languages).'),
            def(s('givenName'), 'The given name (first name in most Western languages).'),
            def(s('middleName'), 'The middle name(s).'),
            def(s('honorificPrefix'), "The honorific prefix(es), e.g. 'Ms.'."),
            def(s('honorificSuffix'), "The honorific suffix(es), e.g. 'III'."),
          ],
        }),
        "The components of the user's real name.",
      ),
      def(s('displayName'), 'The name of the User, suitable for display to end-users.'),
      def(s('nickName'), 'The casual way to address the user.'),
      def(ref('profileUrl'), "A URI pointing to the User's online profile.", { referenceTypes: ['external'] }),
      def(s('title'), "The user's title, such as 'Vice President'."),
      def(s('userType'), 'The relationship between the organisation and the user, e.g. Employee or Contractor.'),
      def(s('preferredLanguage'), "The User's preferred written or spoken language (RFC 7231 Accept-Language form)."),
      def(s('locale'), "The User's default location for localisation (e.g. 'en-US')."),
      def(s('timezone'), "The User's time zone in IANA Time Zone database form (e.g. 'America/Los_Angeles')."),
      def(attribute('active', 'boolean'), "The User's administrative status."),
      def(s('password'), "The User's cleartext password; accepted on create and replace, never stored or returned.", {
        mutability: 'writeOnly',
        returned: 'never',
      }),
      multi('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
      multi('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
      multi('ims', 'Instant messaging addresses for the User.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
      multi('photos', 'URLs of photos of the User.', ['photo', 'thumbnail']),
      def(
        attribute('addresses', 'complex', {
          multiValued: true,
          subAttributes: [
            def(s('formatted'), 'The full mailing address, formatted for display.'),
            def(s('streetAddress'), 'The full street address component.'),
            def(s('locality'), 'The city or locality component.'),
            def(s('region'), 'The state or region component.'),
            def(s('postalCode'), 'The zip code or postal code component.'),
            def(s('country'), 'The country name component (ISO 3166-1 alpha-2).'),
            def(s('type'), "A label indicating the address' function.", { canonicalValues: ['work', 'home', 'other'] }),
            def(attribute('primary', 'boolean'), "Whether this is the primary address; 'true' appears at most once."),
          ],
        }),
        'Physical mailing addresses for this User.',
      ),
      // Computed from Group membership (RFC 7643 §4.1.2): read-only, as are its sub-attributes.
      {
        ...readOnlySubAttributes(
          multi('groups', 'The groups the user belongs to, directly or indirectly.', ['direct', 'indirect'], [
            def(ref('$ref'), 'The URI of the Group.', { referenceTypes: ['User', 'Group'] }),
          ]),
        ),
        ...READ_ONLY,
      },
      multi('entitlements', 'Entitlements of the User.', []),
      multi('roles', 'Roles of the User.', []),
      multi('x509Certificates', 'X.509 certificates issued to the User (base64 DER).', []),
    ],
  },
  extensions: [
    {
      id: ENTERPRISE_USER_SCHEMA_ID,
      name: 'EnterpriseUser',
      description: 'Enterprise User',
      attributes: [
        def(s('employeeNumber'), 'Numeric or alphanumeric identifier assigned to a person by the organisation.'),
        def(s('costCenter'), 'Identifies the name of a cost center.'),
        def(s('organization'), 'Identifies the name of an organisation.'),
        def(s('division'), 'Identifies the name of a division.'),
        def(s('department'), 'Identifies the name of a department.'),
        def(
          attribute('manager', 'complex', {
            subAttributes: [
              def(s('value'), "The id of the SCIM resource representing the User's manager."),
              def(ref('$ref'), "The URI of the SCIM resource representing the User's manager.", { referenceTypes: ['User'] }),
              def(s('displayName'), "The displayName of the User's manager.", READ_ONLY),
            ],
          }),
          "The User's manager.",
        ),
      ],
    },
  ],
};

export const GROUP_SCHEMA: ScimResourceSchema = {
  core: {
    id: CORE_GROUP_SCHEMA_ID,
    name: 'Group',
    description: 'Group',
    attributes: [
      ...COMMON_ATTRIBUTES,
      // REQUIRED by RFC 7643 §4.2 and unique in Roster (the store's uniqueName for Groups).
      def(s('displayName'), 'A human-readable name for the Group.', { required: true, uniqueness: 'server' }),
      def(
        attribute('members', 'complex', {
          multiValued: true,
          subAttributes: [
            def(s('value', true), 'Identifier of the member of this Group.', { mutability: 'immutable' }),
            def(ref('$ref'), 'The URI of the member resource.', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
            def(s('display'), 'A human-readable name of the member.'),
            def(s('type'), 'The type of the member.', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
          ],
        }),
        'A list of members of the Group.',
      ),
    ],
  },
};
