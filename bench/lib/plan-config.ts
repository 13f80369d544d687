import { DEPARTMENTS, LOCATIONS } from '../../src/demo/index.js';

/** The three in-memory targets and twenty birthright roles the plan benchmark uses. */
export function planBenchConfig(usernameExpression: string): Record<string, unknown> {
  const common = {
    type: 'memory',
    connection: {},
    scope: 'identity.employmentType in ["employee", "contractor"]',
    leaver: { disable: 'immediately', delete: 'after 30d' },
    safety: { maxDeletes: '5%', maxDisables: '10%', minAccounts: 10 },
    executor: { concurrency: 8, maxAttempts: 3 },
  };
  const targets = [
    { ...common, id: 'directory', accountKey: 'username', attributes: {
      username: usernameExpression, email: 'identity.email', displayName: 'identity.givenName + " " + identity.familyName',
      department: 'identity.department', title: 'identity.title', location: 'identity.location',
    } },
    { ...common, id: 'mail', accountKey: 'address', attributes: {
      address: 'identity.email', displayName: 'identity.givenName + " " + identity.familyName', costCenter: 'identity.costCenter',
    } },
    { ...common, id: 'crm', accountKey: 'login', attributes: {
      login: 'identity.email.split("@")[0]', name: 'identity.familyName + ", " + identity.givenName', team: 'identity.department',
    } },
  ];
  return {
    store: 'sqlite:./roster.db',
    server: { host: '127.0.0.1', port: 0 },
    lifecycle: { prehireLeadDays: 7, timezone: 'UTC' },
    sources: [{
      id: 'hr', type: 'csv', path: './employees.csv', key: 'employeeId', maxMissing: '20%',
      fields: { startDate: 'startDate', endDate: 'endDate', status: 'status', employmentType: 'employmentType', manager: 'managerId' },
    }],
    targets,
    roles: planBenchRoles(),
  };
}

/** 20 roles: everyone, one per department (10), managers, one per location (8). */
export function planBenchRoles(): Record<string, unknown>[] {
  const slug = (name: string): string => name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return [
    { id: 'staff', when: 'true', grants: { directory: ['staff'], mail: ['all-staff'], crm: ['viewer'] } },
    ...DEPARTMENTS.map((d) => ({
      id: `dept-${slug(d.name)}`, when: `identity.department == "${d.name}"`,
      grants: { directory: [slug(d.name)], mail: [`${slug(d.name)}-all`], crm: [`team-${slug(d.name)}`] },
    })),
    { id: 'managers', when: 'identity.title.contains("Head") || identity.title.contains("Manager")',
      grants: { directory: ['managers'], crm: ['approver'] } },
    ...LOCATIONS.map((l) => ({
      id: `site-${slug(l)}`, when: `identity.location == "${l}"`, grants: { directory: [`site-${slug(l)}`], mail: [`${slug(l)}-office`] },
    })),
  ];
}
