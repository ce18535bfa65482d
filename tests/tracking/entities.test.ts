import { describe, expect, it } from 'vitest';
import { decodeAttribute } from '../../src/tracking/entities';

describe('decodeAttribute', () => {
  it.each([
    ['https://a.example/?x=1&amp;y=2', 'https://a.example/?x=1&y=2'],
    ['&#106;avascript:', 'javascript:'],
    ['&#x6A;avascript&colon;', 'javascript:'],
    ['&#X6a;&#0000106;', 'jj'],
    ['&#106avascript', 'javascript'],
    ['java&Tab;script&NewLine;', 'java\tscript\n'],
    ['https&colon;&sol;&sol;a&period;example', 'https://a.example'],
    ['https:&bsol;&bsol;evil', 'https:\\\\evil'],
    ['&amp', '&'],
    ['a&lt;b&GT;c&quot;&apos;', 'a<b>c"\''],
    ['&eacute;&Eacute;&yuml;&nbsp;', 'éÉÿ\u00a0'],
    ['&euro;', '€'],
    ['&#0;&#xD800;&#x110000;&#99999999999;', '\ufffd\ufffd\ufffd\ufffd'],
    ['&#128;&#150;&#x81;', '€–\u0081'],
    ['&;&#;&#x;& &', '&;&#;&#x;& &'],
    // The attribute rule: a legacy name without `;` followed by `=` or an alphanumeric stays literal.
    ['?a=1&copy=2', '?a=1&copy=2'],
    ['?a=1&copyx', '?a=1&copyx'],
    ['?a=1&amp_b', '?a=1&_b'],
    ['?a=1&not_x', '?a=1\u00ac_x'],
    ['?q=1&utm_source=x', '?q=1&utm_source=x'],
    ['?q=1&9x;', '?q=1&9x;'],
  ])('%j → %j', (raw, decoded) => {
    expect(decodeAttribute(raw)).toBe(decoded);
  });

  it('a named reference it cannot be sure of makes the value undecidable', () => {
    expect(decodeAttribute('https://a.example/&notin;')).toBeUndefined();
    expect(decodeAttribute('https://a.example/?a&unknownname;')).toBeUndefined();
  });
});
