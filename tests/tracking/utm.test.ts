import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultUtm, withUtm } from '../../src/tracking/utm';

const utm = { source: 'almanac', medium: 'email', campaign: 'black-friday' };
const q = 'utm_source=almanac&utm_medium=email&utm_campaign=black-friday';

describe('withUtm', () => {
  it('appends the pairs after the existing query and before the fragment', () => {
    expect(withUtm('https://shop.example', utm)).toBe(`https://shop.example/?${q}`);
    expect(withUtm('https://shop.example/p?a=1&b=%20x#frag', utm)).toBe(`https://shop.example/p?a=1&b=%20x&${q}#frag`);
    expect(withUtm('https://shop.example/p#x?y=2', utm)).toBe(`https://shop.example/p?${q}#x?y=2`);
    expect(withUtm('https://shop.example/p?', utm)).toBe(`https://shop.example/p?${q}`);
    expect(withUtm('https://shop.example/p#', utm)).toBe(`https://shop.example/p?${q}#`);
  });

  it('keeps the existing query byte for byte (no re-encoding)', () => {
    expect(withUtm('https://shop.example/p?a=%zz&b=+&c=%2B&d', utm)).toBe(`https://shop.example/p?a=%zz&b=+&c=%2B&d&${q}`);
  });

  it("never overrides or duplicates the marketer's own utm_* (any case, even empty)", () => {
    expect(withUtm('https://shop.example/?utm_source=facebook', utm)).toBe(
      'https://shop.example/?utm_source=facebook&utm_medium=email&utm_campaign=black-friday',
    );
    expect(withUtm('https://shop.example/?UTM_MEDIUM=&utm_campaign=x&utm_source=y', utm)).toBe(
      'https://shop.example/?UTM_MEDIUM=&utm_campaign=x&utm_source=y',
    );
  });

  it('encodes values and skips missing or empty ones; content when given', () => {
    expect(withUtm('https://shop.example/', { campaign: 'Black Friday/2026 & co', source: '' })).toBe(
      'https://shop.example/?utm_campaign=Black%20Friday%2F2026%20%26%20co',
    );
    expect(withUtm('https://shop.example/', { content: 'hero' })).toBe('https://shop.example/?utm_content=hero');
    expect(withUtm('https://shop.example/x', {})).toBe('https://shop.example/x');
  });

  it('leaves what does not parse alone', () => {
    expect(withUtm('not a url', utm)).toBe('not a url');
  });

  it('defaultUtm', () => {
    expect(defaultUtm('cart-reminder')).toEqual({ source: 'almanac', medium: 'email', campaign: 'cart-reminder' });
  });

  it('for any web URL: the original is a prefix up to the fragment, the fragment is kept, parameters are readable', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withFragments: true, withQueryParameters: true }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (raw, campaign) => {
          const href = new URL(raw).href;
          const out = withUtm(href, { campaign });
          const hashAt = href.includes('#') ? href.indexOf('#') : href.length;
          expect(out.startsWith(href.slice(0, hashAt).replace(/\?$/, ''))).toBe(true);
          expect(out.endsWith(href.slice(hashAt))).toBe(true);
          const parsed = new URL(out);
          if (!new URL(href).searchParams.has('utm_campaign')) expect(parsed.searchParams.getAll('utm_campaign')).toEqual([campaign]);
          expect(new URL(out).href).toBe(out);
        },
      ),
      { numRuns: 500 },
    );
  });
});
