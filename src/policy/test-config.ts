/**
 * Test helpers (not shipped behaviour): plain-object configs and identities
 * for the lifecycle, policy and planner tests.
 */
import type {
  LifecycleConfig, RoleConfig, RosterConfig, SafetyConfig, SourceConfig, TargetConfig,
} from '../config/types.js';
import type { Attributes, Identity, LinkedAccount } from '../core/types.js';

export const testLifecycle = (overrides: Partial<LifecycleConfig> = {}): LifecycleConfig => ({
  prehireLeadDays: 7,
  leaveStatuses: ['leave', 'on leave', 'loa'],
  terminatedStatuses: ['terminated', 'inactive', 'leaver'],
  rescindedStatuses: ['rescinded', 'withdrawn', 'cancelled'],
  timezone: 'UTC',
  ...overrides,
});

export const testSource = (overrides: Partial<SourceConfig> = {}): SourceConfig => ({
  id: 'hr',
  type: 'csv',
  key: 'employeeId',
  fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' },
  delimiter: ',',
  complete: true,
  maxMissing: { percent: 20 },
  ...overrides,
});

export const testSafety = (overrides: Partial<SafetyConfig> = {}): SafetyConfig => ({
  maxDeletes: { percent: 5 }, maxDisables: { percent: 10 }, minAccounts: 10, ...overrides,
});

export const testTarget = (overrides: Partial<TargetConfig> = {}): TargetConfig => ({
  id: 'app',
  type: 'memory',
  connection: {},
  scope: 'true',
  attributes: {
    username: 'unique([identity.givenName.lowerAscii() + "." + identity.familyName.lowerAscii(), identity.givenName.lowerAscii().substring(0, 1) + identity.familyName.lowerAscii()])',
    email: 'identity.email',
    department: 'identity.department',
  },
  accountKey: 'username',
  leaver: { disable: 'immediately', deleteAfterMs: 30 * 86_400_000 },
  onLeave: 'disable',
  safety: testSafety(),
  executor: { concurrency: 4, maxAttempts: 8, backoffBaseMs: 500, backoffMaxMs: 300_000, quarantineAfter: 20 },
  ...overrides,
});

export const testRoles = (): RoleConfig[] => [
  { id: 'everyone', description: 'Every employee', when: 'true', grants: { app: ['users'] } },
  { id: 'engineering', when: 'identity.department == "Engineering"', grants: { app: ['engineers', 'git'] } },
  { id: 'sales', when: 'identity.department == "Sales"', grants: { app: ['crm'] } },
];

export const testConfig = (overrides: Partial<RosterConfig> = {}): RosterConfig => ({
  file: '/tmp/roster.yaml',
  baseDir: '/tmp',
  store: 'sqlite::memory:',
  server: { host: '127.0.0.1', port: 8080, trustProxy: false },
  lifecycle: testLifecycle(),
  sources: [testSource()],
  targets: [testTarget()],
  roles: testRoles(),
  ...overrides,
});

export const NOW = new Date('2026-03-10T12:00:00.000Z');

export const person = (id: string, attributes: Attributes = {}): Attributes => ({
  employeeId: id,
  givenName: 'Jane',
  familyName: 'Doe',
  email: `${id}@example.com`,
  department: 'Engineering',
  title: 'Engineer',
  employmentType: 'employee',
  status: 'active',
  startDate: '2024-01-15',
  endDate: '',
  managerId: '',
  ...attributes,
});

export const identity = (id: string, overrides: Partial<Identity> & { attributes?: Attributes } = {}): Identity => ({
  id,
  sourceId: 'hr',
  attributes: person(id),
  state: 'active',
  startAt: '2024-01-15T00:00:00.000Z',
  version: 1,
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
  ...overrides,
});

export const link = (identityId: string, overrides: Partial<LinkedAccount> = {}): LinkedAccount => ({
  target: 'app',
  identityId,
  accountId: identityId,
  attributes: {},
  entitlements: [],
  enabled: true,
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
  ...overrides,
});
