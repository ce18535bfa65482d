/**
 * Decodes character references in an HTML attribute value the way the HTML tokenizer does, so a
 * link is judged by the URL the mail client will follow (`&amp;` → `&`, `&#106;avascript:` →
 * `javascript:`, `java&Tab;script&colon;` → `java\tscript:`), not by its source text.
 *
 * Numeric references follow the spec fully (optional `;`, 0 / surrogates / out of range → U+FFFD,
 * 0x80–0x9F through windows-1252). Named ones: the full set the spec lets appear without `;`
 * (the Latin-1 "legacy" names, with the attribute rule that `&copy=` or `&notx` stay literal),
 * and the `;`-terminated names that matter in URLs. The full table has 2 231 names; rather than
 * carry it, a `&name;` we do not know makes the result `undefined` — "cannot tell what the
 * browser sees" — and the caller leaves that link alone (it is then simply not tracked).
 */

/** The legacy names, U+00A0 … U+00FF in order (the spec's no-semicolon set, besides amp/lt/gt/quot). */
const LATIN1 = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot ' +
  'cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml ' +
  'Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig ' +
  'agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ' +
  'ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

/** `name:hex name:hex …` → name → character. */
const table = (pairs: string): Array<readonly [string, string]> =>
  pairs.split(' ').map((pair) => {
    const [name, hex] = pair.split(':') as [string, string];
    return [name, String.fromCodePoint(parseInt(hex, 16))] as const;
  });

const LEGACY: ReadonlyMap<string, string> = new Map([
  ...LATIN1.map((name, i) => [name, String.fromCodePoint(0xa0 + i)] as const),
  ...table('amp:26 AMP:26 lt:3c LT:3c gt:3e GT:3e quot:22 QUOT:22 COPY:a9 REG:ae'),
]);

/**
 * `;`-only names seen in URLs and in obfuscation tricks (`&colon;`, `&Tab;`, `&bsol;`, `&commat;`),
 * as `name:hex code point` pairs.
 */
const SEMICOLON_ONLY: ReadonlyMap<string, string> = new Map(
  table(
    'apos:27 Tab:9 NewLine:a colon:3a sol:2f bsol:5c quest:3f num:23 commat:40 period:2e lpar:28 rpar:29 percnt:25 equals:3d ' +
      'plus:2b comma:2c semi:3b excl:21 dollar:24 lowbar:5f UnderBar:5f ast:2a midast:2a lsqb:5b lbrack:5b rsqb:5d rbrack:5d ' +
      'lcub:7b lbrace:7b rcub:7d rbrace:7d verbar:7c vert:7c VerticalLine:7c Hat:5e grave:60 DiacriticalGrave:60 ' +
      'NonBreakingSpace:a0 ZeroWidthSpace:200b zwj:200d zwnj:200c lrm:200e rlm:200f ensp:2002 emsp:2003 thinsp:2009 ' +
      'hellip:2026 ndash:2013 mdash:2014 euro:20ac trade:2122',
  ),
);

/** What `&#128;` … `&#159;` mean (the spec's table: windows-1252), as `byte:code point` in hex; unlisted ones stand for themselves. */
const WINDOWS_1252: ReadonlyMap<number, number> = new Map(
  (
    '80:20ac 82:201a 83:192 84:201e 85:2026 86:2020 87:2021 88:2c6 89:2030 8a:160 8b:2039 8c:152 8e:17d 91:2018 92:2019 ' +
    '93:201c 94:201d 95:2022 96:2013 97:2014 98:2dc 99:2122 9a:161 9b:203a 9c:153 9e:17e 9f:178'
  )
    .split(' ')
    .map((pair) => pair.split(':').map((h) => parseInt(h, 16)) as [number, number]),
);

function numeric(code: number): string {
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(WINDOWS_1252.get(code) ?? code);
}

/** The attribute value as the browser sees it, or undefined when it holds a named reference we cannot decode with certainty. */
export function decodeAttribute(raw: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const amp = raw.indexOf('&', i);
    if (amp < 0) return out + raw.slice(i);
    out += raw.slice(i, amp);
    const num = /^&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?/.exec(raw.slice(amp));
    if (num) {
      const digits = num[1] ?? num[2]!;
      // A run of digits too long to be a code point is still one (out-of-range) reference.
      out += numeric(digits.replace(/^0+/, '').length > 8 ? Infinity : parseInt(digits, num[1] !== undefined ? 16 : 10));
      i = amp + num[0].length;
      continue;
    }
    const name = /^[A-Za-z0-9]+/.exec(raw.slice(amp + 1))?.[0];
    if (name === undefined) {
      out += '&';
      i = amp + 1;
      continue;
    }
    const after = raw[amp + 1 + name.length];
    if (after === ';') {
      const value = LEGACY.get(name) ?? SEMICOLON_ONLY.get(name);
      if (value !== undefined) {
        out += value;
        i = amp + name.length + 2;
        continue;
      }
      if (/^[A-Za-z]/.test(name) && name.length <= 32) return undefined;
    } else {
      // Without `;` only the legacy names match, and in an attribute only when followed by neither an alphanumeric nor `=`.
      const value = LEGACY.get(name);
      if (value !== undefined && after !== '=') {
        out += value;
        i = amp + 1 + name.length;
        continue;
      }
    }
    out += '&';
    i = amp + 1;
  }
  return out;
}
