/** The example roster.yaml of the design brief, for tests. Line numbers matter: tests point at them. */
export const EXAMPLE_YAML = `store: sqlite:./data/roster.db
server: { host: 127.0.0.1, port: 8080 }
lifecycle: { prehireLeadDays: 7, timezone: UTC }
sources:
  - id: hr
    type: csv
    path: ./hr/employees.csv
    key: employeeId
    schedule: "*/5 * * * *"
    fields: { startDate: startDate, endDate: endDate, status: status, employmentType: employmentType, manager: managerId }
    maxMissing: 20%
targets:
  - id: app
    type: sql
    connection:
      url: sqlite:./data/app.db
      createTables: true
      users: { table: users, key: username, columns: { username: username, email: email, displayName: display_name, department: department }, enabled: { column: active } }
      memberships: { table: user_groups, user: username, group: group_name }
    scope: identity.employmentType in ["employee", "contractor"]
    accountKey: username
    attributes:
      username: unique([identity.givenName.ascii().lowerAscii() + "." + identity.familyName.ascii().lowerAscii()])
      email: identity.email
      displayName: identity.givenName + " " + identity.familyName
      department: identity.department
    leaver: { disable: immediately, delete: after 30d }
    onLeave: disable
    safety: { maxDeletes: 5%, maxDisables: 10%, minAccounts: 10 }
    executor: { concurrency: 4, maxAttempts: 8 }
roles:
  - id: engineering
    description: Everyone in Engineering
    when: identity.department == "Engineering"
    grants: { app: [engineers] }
`;

/** The smallest valid file: every other key takes its default. */
export const MINIMAL_YAML = `sources:
  - id: hr
    type: csv
    path: hr.csv
    key: employeeId
targets:
  - id: mem
    type: memory
    accountKey: username
    attributes:
      username: identity.employeeId
`;
