/**
 * SCIM filters (RFC 7644 §3.4.2.2). A comparison value is a JSON string
 * (RFC 7159): quotes, backslashes and control characters are escaped, so a
 * hostile value stays one value and cannot add `or …` to the filter.
 */
export function eqFilter(attribute: string, value: string): string {
  return `${attribute} eq ${JSON.stringify(value)}`;
}
