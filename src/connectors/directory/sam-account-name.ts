/**
 * Active Directory's rules for sAMAccountName (the pre-Windows 2000 logon
 * name), for users (checked before a write) and for the groups Roster
 * creates (made to fit).
 */
/** AD's longest sAMAccountName (the pre-Windows 2000 logon name). */
export const MAX_SAM_LENGTH = 20;
/** Characters AD does not allow in a sAMAccountName. */
const FORBIDDEN = '"/\\[]:;|=,+*?<>';
/** The same, and control characters, as a pattern. */
const SAM_FORBIDDEN = new RegExp(`[${FORBIDDEN.replace(/[\\\]\[]/g, '\\$&')}\\u0000-\\u001f\\u007f]`, 'g');

/**
 * Why AD (or Windows logon) would refuse this sAMAccountName, in words, or
 * undefined when it is fine. Checked before a write, so the refusal names
 * the rule rather than the directory's own diagnostic (Samba, for one,
 * answers an @ with a Kerberos error).
 */
export function samAccountNameProblem(sam: string): string | undefined {
  if ([...sam].length > MAX_SAM_LENGTH) return `is longer than ${MAX_SAM_LENGTH} characters`;
  const forbidden = [...new Set([...sam].filter((c) => FORBIDDEN.includes(c)))];
  if (forbidden.length > 0) return `contains ${forbidden.join(' ')}, which AD does not allow in a sAMAccountName (none of " / \\ [ ] : ; | = , + * ? < >)`;
  if (sam.includes('@')) return 'contains @ (the logon name user@domain and the Kerberos principal made from it break; put the domain in userPrincipalName)';
  if (/[\u0000-\u001f\u007f]/.test(sam)) return 'contains a control character';
  if (/^\s|\s$/.test(sam)) return 'starts or ends with a space';
  if (sam.endsWith('.')) return 'ends with a dot, which AD does not allow';
  if (sam.trim() === '') return 'is empty';
  return undefined;
}

/**
 * AD's pre-Windows 2000 name limit for a group Roster creates: the schema allows
 * 256 characters, but Windows tools (net group, ADUC's "pre-Windows 2000" field)
 * expect at most 64. A group's cn is at most 64 too (ad/group-name.ts: a longer
 * name is refused before any write), so a name made from it is never cut: the
 * cut is a guard only.
 */
export const AD_GROUP_NAME_MAX = 64;

/**
 * The sAMAccountName of an AD group named `cn`: the name itself, with each
 * character AD forbids there as `_`, cut to AD_GROUP_NAME_MAX characters (code
 * points) and without trailing spaces or periods (AD refuses a trailing
 * period). Undefined when nothing usable is left: AD then generates one.
 */
export function adGroupAccountName(cn: string): string | undefined {
  const name = [...cn.replace(SAM_FORBIDDEN, '_').trim()].slice(0, AD_GROUP_NAME_MAX).join('').replace(/[\s.]+$/u, '');
  return name === '' ? undefined : name;
}
