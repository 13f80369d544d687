/**
 * ASCII transliteration for names that become usernames and e-mail local
 * parts: Zoë → Zoe, Łukasz → Lukasz, Müller → Muller, Straße → Strasse.
 * Accents are removed by Unicode decomposition (NFD); letters that do not
 * decompose come from a small table; anything left that is not ASCII
 * (e.g. 李) is dropped.
 */
const SPECIAL: Readonly<Record<string, string>> = {
  Ł: 'L', ł: 'l', Ø: 'O', ø: 'o', Đ: 'D', đ: 'd', Ð: 'D', ð: 'd',
  Þ: 'Th', þ: 'th', ß: 'ss', ẞ: 'SS', Æ: 'AE', æ: 'ae', Œ: 'OE', œ: 'oe',
  ı: 'i', Ħ: 'H', ħ: 'h', Ŀ: 'L', ŀ: 'l', Ŧ: 'T', ŧ: 't', ĸ: 'k', Ŋ: 'N', ŋ: 'n',
  '\u2018': "'", '\u2019': "'", '\u201C': '"', '\u201D': '"', '\u2013': '-', '\u2014': '-',
};

const SPECIAL_PATTERN = new RegExp(`[${Object.keys(SPECIAL).join('')}]`, 'gu');
// eslint-disable-next-line no-control-regex -- the ASCII range is the point
const NON_ASCII = /[^\u0000-\u007f]/g;
const COMBINING_MARKS = /\p{M}/gu;

/**
 * Names repeat (a plan maps thousands of people with a few hundred given
 * names): results are remembered, within a bound like lifecycle/dates.ts.
 */
const CACHE_LIMIT = 10_000;
const cache = new Map<string, string>();

export function toAscii(value: string): string {
  // eslint-disable-next-line no-control-regex -- fast path for plain ASCII
  if (/^[\u0000-\u007f]*$/.test(value)) return value;
  let ascii = cache.get(value);
  if (ascii === undefined) {
    ascii = value
      .replace(SPECIAL_PATTERN, (ch) => SPECIAL[ch] ?? '')
      .normalize('NFD')
      .replace(COMBINING_MARKS, '')
      .replace(NON_ASCII, '');
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(value, ascii);
  }
  return ascii;
}
