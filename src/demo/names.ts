/**
 * Names from many cultures, so that display names, ASCII folding and unique
 * user names are exercised: accents (Zoë, José), letters decomposition does not
 * fold (Łukasz, Søren), apostrophes (O'Brien), Vietnamese diacritics (Nguyễn)
 * and CJK names. People take a given and a family name from the same culture.
 */
export interface Culture {
  readonly given: readonly string[];
  readonly family: readonly string[];
}

export const CULTURES: readonly Culture[] = [
  { given: ['John', 'James', 'Emma', 'Olivia', 'Michael', 'Sarah', 'David', 'Emily', 'Daniel', 'Grace'],
    family: ['Smith', 'Johnson', 'Brown', 'Taylor', 'Wilson', 'Davies', 'Evans', 'Clarke', 'Walker', 'Wright'] },
  { given: ['Siobhán', 'Seán', 'Aoife', 'Ciarán', 'Niamh', 'Patrick'],
    family: ["O'Brien", "O'Connor", 'Murphy', 'Kelly', "O'Sullivan", 'Byrne'] },
  { given: ['José', 'María', 'Lucía', 'Andrés', 'Sofía', 'Javier', 'Inês', 'João'],
    family: ['García', 'Martínez', 'López', 'Hernández', 'Muñoz', 'Gonçalves', 'Peña', 'Álvarez'] },
  { given: ['Jürgen', 'Anna', 'Lukas', 'Jörg', 'Katrin', 'Felix', 'Zoë', 'Björn'],
    family: ['Müller', 'Schröder', 'Weiß', 'Schmidt', 'Köhler', 'Groß', 'Fischer', 'Becker'] },
  { given: ['Łukasz', 'Małgorzata', 'Paweł', 'Agnieszka', 'Wojciech', 'Zofia'],
    family: ['Kowalski', 'Wiśniewska', 'Łęcki', 'Zieliński', 'Wójcik', 'Dąbrowski'] },
  { given: ['Søren', 'Ingrid', 'Åsa', 'Björk', 'Lars', 'Sigrid', 'Magnús'],
    family: ['Jørgensen', 'Andersson', 'Løvgren', 'Håkansson', 'Nyström', 'Sigurðsson'] },
  { given: ['Chloé', 'Élodie', 'François', 'Hélène', 'Jérôme', 'Noël'],
    family: ['Dubois', 'Lefèvre', 'Moreau', 'Girard', 'Bonnaire', 'Fournier'] },
  { given: ['Anh', 'Minh', 'Thảo', 'Hùng', 'Linh', 'Quỳnh'],
    family: ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Võ', 'Đặng'] },
  { given: ['Priya', 'Arjun', 'Ananya', 'Rohan', 'Kavya', 'Vikram'],
    family: ['Sharma', 'Patel', 'Iyer', 'Reddy', 'Nair', 'Gupta'] },
  { given: ['Chidi', 'Ngozi', 'Oluwaseun', 'Adaeze', 'Emeka', 'Folake'],
    family: ['Okafor', 'Adeyemi', 'Eze', 'Balogun', 'Okonkwo', 'Adebayo'] },
  { given: ['Yusuf', 'Layla', 'Omar', 'Fatima', 'Karim', 'Zeynep'],
    family: ['Haddad', 'Yılmaz', 'Al-Sayed', 'Demir', 'Nasser', 'Çelik'] },
  { given: ['伟', '芳', '娜', '静', '强', '磊'],
    family: ['李', '王', '张', '刘', '陈', '杨'] },
  { given: ['翔太', '陽菜', '蓮', '結衣'],
    family: ['佐藤', '鈴木', '高橋', '田中'] },
];

/**
 * Romanisations for the CJK names above, used for e-mail addresses (ASCII
 * folding cannot spell them).
 */
export const ROMANISED: Readonly<Record<string, string>> = {
  伟: 'Wei', 芳: 'Fang', 娜: 'Na', 静: 'Jing', 强: 'Qiang', 磊: 'Lei',
  李: 'Li', 王: 'Wang', 张: 'Zhang', 刘: 'Liu', 陈: 'Chen', 杨: 'Yang',
  翔太: 'Shota', 陽菜: 'Hina', 蓮: 'Ren', 結衣: 'Yui',
  佐藤: 'Sato', 鈴木: 'Suzuki', 高橋: 'Takahashi', 田中: 'Tanaka',
};

/** Common names placed on purpose several times, so unique user names matter. */
export const COMMON_NAMES: readonly (readonly [string, string])[] = [
  ['John', 'Smith'], ['Maria', 'García'], ['Anna', 'Müller'], ['伟', '张'], ['Anh', 'Nguyễn'],
];
