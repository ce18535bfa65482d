import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeRedirectTarget } from '../../src/tracking/redirect-target';

const refused = (raw: string) => safeRedirectTarget(raw).ok === false;

/** What every accepted target must be, whatever the input. */
function assertSafe(raw: string) {
  const r = safeRedirectTarget(raw);
  if (!r.ok) return;
  const u = new URL(r.url);
  expect(['http:', 'https:']).toContain(u.protocol);
  expect(u.username).toBe('');
  expect(u.password).toBe('');
  expect(u.hostname).not.toBe('');
  expect(r.url).not.toContain('\\');
  expect(r.url).not.toMatch(/[\p{Cc}\s]/u);
  // Printable ASCII only: safe as a Location header value, whatever the input's characters.
  expect(r.url).toMatch(/^[\x21-\x7e]+$/);
  expect(r.url.length).toBeLessThanOrEqual(2048);
  expect(u.href).toBe(r.url);
  expect(safeRedirectTarget(r.url)).toEqual({ ok: true, url: r.url });
}

describe('safeRedirectTarget', () => {
  it('accepts absolute http(s) URLs and returns the parsed href', () => {
    expect(safeRedirectTarget('https://shop.example/p?a=1#top')).toEqual({ ok: true, url: 'https://shop.example/p?a=1#top' });
    expect(safeRedirectTarget('HTTP://Shop.Example:80/a/../b')).toEqual({ ok: true, url: 'http://shop.example/b' });
    expect(safeRedirectTarget('https://shop.example')).toEqual({ ok: true, url: 'https://shop.example/' });
    expect(safeRedirectTarget('https://bücher.example/ä')).toEqual({ ok: true, url: 'https://xn--bcher-kva.example/%C3%A4' });
    expect(safeRedirectTarget('https://shop.example/"><script>')).toEqual({ ok: true, url: 'https://shop.example/%22%3E%3Cscript%3E' });
  });

  it.each([
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    ['java\tscript:alert(1)'],
    ['java\nscript:alert(1)'],
    [' javascript:alert(1)'],
    ['&#106;avascript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['vbscript:msgbox(1)'],
    ['file:///etc/passwd'],
    ['ftp://files.example/x'],
    ['mailto:ada@example.com'],
    ['tel:+48123'],
    ['//evil.com'],
    ['///evil.com'],
    ['/\\evil.com'],
    ['https:\\\\evil.com'],
    ['https://evil.com\\@shop.example'],
    ['https:/evil.com'],
    ['https:evil.com'],
    ['https://a@b.com'],
    ['https://user:pass@shop.example/'],
    ['https://@shop.example/'],
    ['https://shop.example@evil.com/'],
    ['https://shop.example%40evil.com@x/'],
    ['http://%00'],
    ['http://'],
    ['https:///path'],
    ['https://?x'],
    ['https://#x'],
    ['http://a b.com'],
    ['https://shop.example/a b'],
    ['https://shop.example/\u0000'],
    ['https://shop.example/\u007f'],
    ['https://shop.example/\u0085'],
    ['https://shop.example/\u00a0'],
    ['https://shop.example/\u2028'],
    ['https://shop.example/\u202e'],
    ['\u0000https://shop.example/'],
    ['https://shop.example/\r\nLocation: https://evil.com'],
    ['https://shop.example:99999/'],
    ['https://[::1/'],
    ['shop.example/path'],
    ['/relative'],
    ['#anchor'],
    [''],
    [`https://shop.example/${'a'.repeat(3000)}`],
  ])('refuses %j', (raw) => {
    expect(refused(raw)).toBe(true);
  });

  it('refuses what grows over 2048 characters once percent-encoded', () => {
    expect(refused(`https://shop.example/${'ä'.repeat(1000)}`)).toBe(true);
    expect(safeRedirectTarget(`https://shop.example/${'a'.repeat(2000)}`).ok).toBe(true);
  });

  it('says why', () => {
    expect(safeRedirectTarget('https://a@b.com')).toEqual({ ok: false, reason: 'contains userinfo (user@host)' });
    expect(safeRedirectTarget('https:\\\\evil.com')).toEqual({ ok: false, reason: 'contains a backslash' });
  });

  it('anything accepted from arbitrary strings is a plain http(s) URL that re-parses to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => assertSafe(s)),
      { numRuns: 5000 },
    );
  });

  it('anything accepted from URL-ish strings is a plain http(s) URL that re-parses to itself', () => {
    const piece = fc.constantFrom(
      'http:',
      'https:',
      'HTTPS:',
      'javascript:',
      'data:',
      '//',
      '/',
      '\\',
      '@',
      ':',
      '%00',
      '%40',
      '%2F',
      '%5C',
      '#',
      '?',
      '&',
      '=',
      'shop.example',
      'evil.com',
      '127.0.0.1',
      '[::1]',
      'xn--',
      'ä',
      '\t',
      '\n',
      ' ',
      '\u0000',
      '\u202e',
      'user',
      'pass',
      '.',
      '..',
      '80',
      '443',
      '{{x}}',
      '"',
      "'",
      '<',
      '>',
      '`',
    );
    const urlish = fc.array(piece, { maxLength: 14 }).map((a) => a.join(''));
    fc.assert(
      fc.property(urlish, (s) => assertSafe(s)),
      { numRuns: 20000 },
    );
    fc.assert(
      fc.property(fc.webUrl({ withFragments: true, withQueryParameters: true }), (s) => assertSafe(s)),
      { numRuns: 3000 },
    );
  });

  it('ordinary web URLs are accepted', () => {
    fc.assert(
      fc.property(fc.webUrl({ withFragments: true, withQueryParameters: true }), (s) => {
        fc.pre(!new URL(s).username && !new URL(s).password && s.length <= 2048 && !/[\\\s]/.test(s));
        expect(safeRedirectTarget(s).ok).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
