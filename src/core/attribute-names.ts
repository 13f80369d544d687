/**
 * The names of the standard schemas' attribute types (core, cosine,
 * inetorgperson, nis: as /etc/ldap/schema defines them), pure data shared by
 * the directory connectors (mapping.ts) and DN comparison (dn.ts): a server
 * answers with each type's first NAME, whatever name or OID it was given
 * (slapd stores `2.5.4.3=Staff` and `commonName=Staff` as `cn=Staff`).
 */

/**
 * Aliases of the standard schemas (core, cosine, inetorgperson) -> the name a
 * server answers with (the first NAME of the attribute type), lower-cased.
 */
export const STANDARD_ALIASES: Readonly<Record<string, string>> = {
  surname: 'sn', commonname: 'cn', userid: 'uid', rfc822mailbox: 'mail', mobiletelephonenumber: 'mobile',
  pagertelephonenumber: 'pager', hometelephonenumber: 'homephone', fax: 'facsimiletelephonenumber', gn: 'givenname',
  localityname: 'l', stateorprovincename: 'st', streetaddress: 'street', organizationname: 'o',
  organizationalunitname: 'ou', countryname: 'c', domaincomponent: 'dc', favouritedrink: 'drink',
};

/**
 * The OIDs of the standard schemas' attribute types Roster knows by name ->
 * their first NAME, lower-cased. A mapping may name an attribute by its OID
 * (`dept: 2.16.840.1.113730.3.1.2`); a server answers with the name, so
 * without this the value would not be found when read back, its EQUALITY
 * rule would be unknown when the server's subschema cannot be read, and
 * userPassword given as 2.5.4.35 would not be known for a password.
 */
export const STANDARD_OIDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'cn', '2.5.4.4': 'sn', '2.5.4.6': 'c', '2.5.4.7': 'l', '2.5.4.8': 'st', '2.5.4.9': 'street', '2.5.4.10': 'o',
  '2.5.4.11': 'ou', '2.5.4.12': 'title', '2.5.4.13': 'description', '2.5.4.15': 'businesscategory', '2.5.4.16': 'postaladdress',
  '2.5.4.17': 'postalcode', '2.5.4.18': 'postofficebox', '2.5.4.19': 'physicaldeliveryofficename', '2.5.4.20': 'telephonenumber',
  '2.5.4.23': 'facsimiletelephonenumber', '2.5.4.31': 'member', '2.5.4.32': 'owner', '2.5.4.33': 'roleoccupant', '2.5.4.34': 'seealso',
  '2.5.4.35': 'userpassword', '2.5.4.41': 'name', '2.5.4.42': 'givenname', '2.5.4.43': 'initials', '2.5.4.44': 'generationqualifier',
  '2.5.4.50': 'uniquemember', '1.3.6.1.4.1.250.1.57': 'labeleduri',
  '0.9.2342.19200300.100.1.1': 'uid', '0.9.2342.19200300.100.1.3': 'mail', '0.9.2342.19200300.100.1.5': 'drink',
  '0.9.2342.19200300.100.1.6': 'roomnumber', '0.9.2342.19200300.100.1.8': 'userclass', '0.9.2342.19200300.100.1.9': 'host',
  '0.9.2342.19200300.100.1.10': 'manager', '0.9.2342.19200300.100.1.20': 'homephone', '0.9.2342.19200300.100.1.21': 'secretary',
  '0.9.2342.19200300.100.1.25': 'dc', '0.9.2342.19200300.100.1.37': 'associateddomain', '0.9.2342.19200300.100.1.39': 'homepostaladdress',
  '0.9.2342.19200300.100.1.41': 'mobile', '0.9.2342.19200300.100.1.42': 'pager', '0.9.2342.19200300.100.1.43': 'co',
  '0.9.2342.19200300.100.1.45': 'organizationalstatus', '0.9.2342.19200300.100.1.48': 'buildingname',
  '2.16.840.1.113730.3.1.1': 'carlicense', '2.16.840.1.113730.3.1.2': 'departmentnumber', '2.16.840.1.113730.3.1.3': 'employeenumber',
  '2.16.840.1.113730.3.1.4': 'employeetype', '2.16.840.1.113730.3.1.39': 'preferredlanguage', '2.16.840.1.113730.3.1.241': 'displayname',
  '1.3.6.1.1.1.1.0': 'uidnumber', '1.3.6.1.1.1.1.1': 'gidnumber', '1.3.6.1.1.1.1.2': 'gecos', '1.3.6.1.1.1.1.3': 'homedirectory',
  '1.3.6.1.1.1.1.4': 'loginshell', '1.3.6.1.1.1.1.12': 'memberuid',
  // Write-only password attributes (mapping.ts WRITE_ONLY): authPassword, unicodePwd, sambaLMPassword, sambaNTPassword, userPKCS12.
  '1.3.6.1.4.1.4203.1.3.4': 'authpassword', '1.2.840.113556.1.4.90': 'unicodepwd', '1.3.6.1.4.1.7165.2.1.24': 'sambalmpassword',
  '1.3.6.1.4.1.7165.2.1.25': 'sambantpassword', '2.16.840.1.113730.3.1.216': 'userpkcs12',
};

/** An attribute type as a server of the standard schemas names it (its first NAME), lower-cased: `userid`, `UID` and `0.9.2342.19200300.100.1.1` are all `uid`. */
export function standardAttributeName(name: string): string {
  const lower = name.toLowerCase();
  return STANDARD_ALIASES[lower] ?? STANDARD_OIDS[lower] ?? lower;
}
