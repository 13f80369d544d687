/** userAccountControl flags Roster touches (MS-ADTS 2.2.16). */
export const ACCOUNTDISABLE = 0x2;
export const NORMAL_ACCOUNT = 0x200;

export function isEnabled(userAccountControl: number): boolean {
  return (userAccountControl & ACCOUNTDISABLE) === 0;
}

/** The same flags with only the disable bit changed. */
export function withEnabled(userAccountControl: number, enabled: boolean): number {
  return enabled ? userAccountControl & ~ACCOUNTDISABLE : userAccountControl | ACCOUNTDISABLE;
}
