/** The files `roster init` writes: a commented roster.yaml and a small HR export. */

export const ROSTER_YAML = `# roster.yaml: what Roster reads, what it provisions, and who gets what.
# Expressions (scope, attributes, when) are CEL: https://cel.dev
# Secrets: write \${env:NAME} or \${file:./path} instead of the value.

# Where Roster keeps identities, links, plans and the audit log.
# sqlite:<path> (relative to this file) or postgres://user@host:5432/db
store: sqlite:./data/roster.db

# The HTTP API, SCIM server and HR push endpoints of \`roster serve\`.
server:
  host: 127.0.0.1   # listen address; 0.0.0.0 to accept other machines
  port: 8080

lifecycle:
  prehireLeadDays: 7   # create accounts for a future hire this many days before the start
  prehireEntitlements: true  # false: no groups before the start; granted with the start-day enable
  timezone: UTC        # time zone of HR dates written without one, and of cron schedules

# Sources: the authoritative records of who works here.
sources:
  - id: hr                      # a name you choose; used in logs and the audit trail
    type: csv                   # csv or json (a file read on schedule), push (HR posts records)
    path: ./hr/employees.csv    # relative to this file
    key: employeeId             # the column that identifies a person for life
    schedule: "*/5 * * * *"     # cron: read the file every 5 minutes
    fields:                     # which columns drive the joiner / mover / leaver lifecycle
      startDate: startDate
      endDate: endDate          # termination or contract end
      status: status
      employmentType: employmentType
      manager: managerId
      # previousKey: previousEmployeeId   # a former key: someone rehired under a new id keeps their accounts
    maxMissing: 20%             # a file missing more people than this is held, not applied

# Targets: the systems Roster creates, updates, disables and deletes accounts in.
targets:
  - id: app
    type: sql                   # a SQL table of users (sqlite or postgres)
    connection:
      url: sqlite:./data/app.db # the application's database, relative to this file
      createTables: true        # create the tables below when missing (demo)
      users:
        table: users
        key: username           # the column holding the account key
        columns: { username: username, email: email, displayName: display_name, department: department }
        enabled: { column: active }
      memberships: { table: user_groups, user: username, group: group_name }
    # Who gets an account here (a CEL condition over identity).
    scope: identity.employmentType in ["employee", "contractor"]
    accountKey: username        # the attribute that names the account
    attributes:                 # account attribute: CEL expression computing it
      # the first candidate nobody else holds: zoe.muller, then zmuller
      username: unique([identity.givenName.ascii().lowerAscii() + "." + identity.familyName.ascii().lowerAscii(), identity.givenName.ascii().lowerAscii().initial() + identity.familyName.ascii().lowerAscii()])
      email: identity.email
      displayName: identity.givenName + " " + identity.familyName
      department: identity.department
    leaver:
      disable: immediately      # disable on the last day (or never)
      delete: after 30d         # delete 30 days later (or never)
    onLeave: disable            # leave of absence: disable, or keep
    safety:                     # hold a plan that would do more than this
      maxDeletes: 5%
      maxDisables: 10%
      maxRevokes: 10%           # accounts losing an entitlement (not counting ones disabled or deleted)
      minAccounts: 10           # ...unless this target has fewer linked accounts than this
      window: 1h                # the same limits over everything applied within this time (HR pushes arrive one by one)
    executor:
      concurrency: 4            # changes applied at once in this target
      maxAttempts: 8            # retries before a change is given up

# Roles: birthright entitlements, granted while the condition holds.
roles:
  - id: everyone
    description: Every employee and contractor
    when: identity.employmentType in ["employee", "contractor"]
    grants: { app: [staff] }
  - id: engineering
    description: Everyone in Engineering
    when: identity.department == "Engineering"
    grants: { app: [engineers] }
  - id: sales
    description: Everyone in Sales
    when: identity.department == "Sales"
    grants: { app: [sales] }
`;

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** About ten people; one contractor whose contract ends, one hire starting in two weeks. */
export function employeesCsv(today: Date): string {
  const day = (offset: number): string => isoDate(new Date(today.getTime() + offset * 86_400_000));
  const rows = [
    ['employeeId', 'givenName', 'familyName', 'email', 'department', 'title', 'employmentType', 'status', 'startDate', 'endDate', 'managerId'],
    ['1001', 'Ada', 'Lovelace', 'ada.lovelace@example.com', 'Engineering', 'VP Engineering', 'employee', 'active', '2019-03-01', '', ''],
    ['1002', 'Zoë', 'Müller', 'zoe.muller@example.com', 'Engineering', 'Software Engineer', 'employee', 'active', '2021-06-14', '', '1001'],
    ['1003', 'Łukasz', 'Nowak', 'lukasz.nowak@example.com', 'Engineering', 'Site Reliability Engineer', 'employee', 'active', '2022-01-10', '', '1001'],
    ['1004', 'Grace', 'Hopper', 'grace.hopper@example.com', 'Engineering', 'Staff Engineer', 'employee', 'active', '2020-09-01', '', '1001'],
    ['1005', 'Søren', 'Kierkegaard', 'soren.kierkegaard@example.com', 'Sales', 'Head of Sales', 'employee', 'active', '2018-11-05', '', ''],
    ['1006', 'Amara', 'Okafor', 'amara.okafor@example.com', 'Sales', 'Account Executive', 'employee', 'active', '2023-02-20', '', '1005'],
    ['1007', 'Mei', 'Chen', 'mei.chen@example.com', 'Finance', 'Controller', 'employee', 'active', '2020-04-01', '', ''],
    ['1008', 'Diego', 'Ramírez', 'diego.ramirez@example.com', 'Engineering', 'Contract Developer', 'contractor', 'active', day(-60), day(90), '1004'],
    ['1009', 'Priya', 'Natarajan', 'priya.natarajan@example.com', 'Sales', 'Sales Development Rep', 'employee', 'active', day(14), '', '1005'],
    ['1010', 'John', 'Smith', 'john.smith@example.com', 'Finance', 'Accountant', 'employee', 'leave', '2021-08-02', '', '1007'],
  ];
  return `${rows.map((row) => row.join(',')).join('\n')}\n`;
}
