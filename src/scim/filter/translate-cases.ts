import { contractors } from './test-users.js';

/** Filter → ids it must match, in id order. Shared by every dialect. */
export const MATCH_CASES: readonly (readonly [filter: string, ids: readonly string[]])[] = [
  // RFC 7644 §3.4.2.2 examples
  ['userName eq "bjensen"', ['u01']],
  ['name.familyName co "O\'Malley"', ['u03']],
  ['userName sw "J"', ['u02']],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', ['u02']],
  ['title pr', ['u01', 'u10']],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', ['u02', 'u04', ...contractors()]],
  ['meta.lastModified ge "2011-05-13T04:42:34Z"', ['u01', 'u02', 'u04', ...contractors()]],
  ['meta.lastModified lt "2011-05-13T04:42:34Z"', ['u03']],
  ['meta.lastModified le "2011-05-13T04:42:34Z"', ['u01', 'u03']],
  ['title pr and userType eq "Employee"', ['u01']],
  ['title pr or userType eq "Intern"', ['u01', 'u03', 'u10']],
  ['schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', ['u01']],
  ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', ['u01', 'u02', 'u04']],
  ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', ['u05', ...contractors()]],
  ['userType eq "Employee" and (emails.type eq "work")', ['u01', 'u02', 'u04']],
  ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', ['u01']],
  ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', ['u01', 'u03', 'u09']],
  // value-path binding: u04 has a work email and an @example.com email, but not one email that is both
  ['emails.type eq "work" and emails.value co "@example.com"', ['u01', 'u03', 'u04']],
  ['emails[not (type eq "work")]', ['u01', 'u04', 'u09']],
  ['name[givenName eq "barbara"]', ['u01']],
  // case-insensitivity of names, operators, keywords and caseExact=false values
  ['USERNAME EQ "BJENSEN"', ['u01']],
  ['UserName Eq "bjensen" OR userName eq "jsmith"', ['u01', 'u02']],
  ['externalId eq "EXT-10"', []],
  ['externalId sw "ext"', ['u10']],
  // presence, null, booleans
  ['not (emails pr)', ['u05', 'u06', 'u07', 'u08', 'u10']],
  ['title eq null', ['u02', 'u03', 'u04', 'u05', 'u06', 'u07', 'u08', 'u09', ...contractors()]],
  ['title ne null', ['u01', 'u10']],
  ['active eq true', ['u01', 'u04', ...contractors('even')]],
  ['active ne true', ['u02', ...contractors('odd')]],
  ['active eq "False"', ['u02', ...contractors('odd')]],
  ['not (active eq true)', ['u02', 'u03', 'u05', 'u06', 'u07', 'u08', 'u09', 'u10', ...contractors('odd')]],
  ['emails.primary eq true', ['u01']],
  ['displayName ne "x"', []],
  // precedence: and binds tighter than or
  ['active eq true or userName eq "JSmith" and title pr', ['u01', 'u04', ...contractors('even')]],
  ['(active eq true or userName eq "JSmith") and title pr', ['u01']],
  // extensions, qualified and not
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"', ['u01']],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName sw "john"', ['u01']],
  ['employeeNumber pr', ['u01']],
  ['urn:example:roster:1.0:User:level gt 5', ['u02', ...contractors()]],
  ['level le 3', ['u01', 'u03']],
  ['level eq 3.0', ['u01']],
  ['score ge 4.5', ['u01']],
  ['tags eq "green"', ['u01']],
  ['tags pr', ['u01']],
  // dateTime normalised to UTC
  ['meta.lastModified eq "2011-05-13T06:42:34+02:00"', ['u01']],
  ['meta.created lt "2011-01-01"', ['u01']],
  // LIKE and GLOB metacharacters are matched literally
  ['userName co "0%_s"', ['u06']],
  ['userName co "%"', ['u06']],
  ['userName sw "100_"', []],
  ['userName ew "\\\\slash"', ['u08']],
  ['externalId co "*[1]"', ['u09']],
  ['externalId ew "?"', ['u09']],
  // injection attempts are only values
  ['userName eq "x\' OR \'1\'=\'1"', ['u05']],
  ['userName eq "\' OR 1=1 --"', []],
  ['userType eq "Employee\'--"', ['u05']],
  ['userName eq "\\"); DROP TABLE scim_resources; --"', []],
];
