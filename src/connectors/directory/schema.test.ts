import { describe, expect, it } from 'vitest';
import { aliasTable, attributeTypeNames } from './schema.js';

describe('subschema attribute names', () => {
  it('reads one name or a list of names, first name first', () => {
    expect(attributeTypeNames("( 2.5.4.4 NAME ( 'sn' 'surname' ) DESC 'RFC2256: last (family) name(s) for which the entity is known by' SUP name )")).toEqual(['sn', 'surname']);
    expect(attributeTypeNames("( 2.5.4.12 NAME 'title' DESC 'RFC2256: title associated with the entity' SUP name )")).toEqual(['title']);
    expect(attributeTypeNames("( 0.9.2342.19200300.100.1.43 NAME ( 'co' 'friendlyCountryName' ) DESC 'RFC1274: friendly country name' EQUALITY caseIgnoreMatch )")).toEqual(['co', 'friendlyCountryName']);
    expect(attributeTypeNames('( 1.2.3 DESC \'no name\' )')).toEqual([]);
  });

  it('maps every alias and the OID to the first name, lower-cased; a type without aliases adds its OID', () => {
    const table = aliasTable([
      "( 2.5.4.4 NAME ( 'sn' 'surname' ) SUP name )",
      "( 0.9.2342.19200300.100.1.43 NAME ( 'co' 'friendlyCountryName' ) )",
      "( 2.5.4.12 NAME 'title' SUP name )",
      'garbage',
    ]);
    expect([...table]).toEqual([
      ['surname', 'sn'], ['2.5.4.4', 'sn'], ['friendlycountryname', 'co'], ['0.9.2342.19200300.100.1.43', 'co'], ['2.5.4.12', 'title'],
    ]);
  });
});
