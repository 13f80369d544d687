/** Letters that Unicode decomposition does not reduce to ASCII. */
const SPECIAL: Readonly<Record<string, string>> = {
  ł: 'l', Ł: 'L', ø: 'o', Ø: 'O', ß: 'ss', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE',
  đ: 'd', Đ: 'D', ð: 'd', Ð: 'D', þ: 'th', Þ: 'Th', ı: 'i',
};

/**
 * Fold a name to plain ASCII letters for e-mail addresses: accents dropped
 * (Zoë -> Zoe, Nguyễn -> Nguyen), special letters spelled out (Łukasz ->
 * Lukasz, Søren -> Soren, Müller -> Muller), and anything else that is not a
 * letter or digit (apostrophes, spaces, hyphens, CJK) removed.
 */
export function foldAscii(name: string): string {
  return name
    .replace(/[łŁøØßæÆœŒđĐðÐþÞı]/g, (letter) => SPECIAL[letter] ?? '')
    .normalize('NFD')
    .replace(/[^A-Za-z0-9]/g, '');
}
