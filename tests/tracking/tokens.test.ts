import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signId } from '../../src/lib/signed-id';
import { clickUrl, openUrl, signClickToken, signOpenToken, verifyClickToken, verifyOpenToken } from '../../src/tracking/tokens';

const key = 'k'.repeat(32);
const id = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

describe('click and open tokens', () => {
  it('round-trip and build PUBLIC_URL/c/… and PUBLIC_URL/o/…', () => {
    expect(verifyClickToken(signClickToken(42, key), key)).toBe(42);
    expect(verifyOpenToken(signOpenToken(7, key), key)).toBe(7);
    expect(clickUrl('https://mail.shop.example/', 42, key)).toBe(`https://mail.shop.example/c/${signClickToken(42, key)}`);
    expect(openUrl('https://mail.shop.example', 7, key)).toBe(`https://mail.shop.example/o/${signOpenToken(7, key)}`);
    expect(signClickToken(42, key)).toMatch(/^42\.[A-Za-z0-9_-]{22}$/);
  });

  it('a click token never verifies as an open token, nor as another purpose, and vice versa', () => {
    fc.assert(
      fc.property(id, (n) => {
        expect(verifyOpenToken(signClickToken(n, key), key)).toBeUndefined();
        expect(verifyClickToken(signOpenToken(n, key), key)).toBeUndefined();
        expect(verifyClickToken(signId('almanac:view:', n, key), key)).toBeUndefined();
        expect(verifyOpenToken(signId('almanac:preferences:', n, key), key)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('a token made with another key never verifies', () => {
    fc.assert(
      fc.property(id, fc.string({ minLength: 1 }), (n, other) => {
        fc.pre(other !== key);
        expect(verifyClickToken(signClickToken(n, other), key)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('tampered tokens never verify: any changed character, another id, truncation, extension', () => {
    fc.assert(
      fc.property(id, fc.nat(), fc.constantFrom(...'ABCabc0189-_.xZ%'.split('')), (n, at, ch) => {
        const token = signClickToken(n, key);
        const i = at % token.length;
        fc.pre(token[i] !== ch);
        const tampered = token.slice(0, i) + ch + token.slice(i + 1);
        // Every other spelling fails, also one differing only in the last character's 4 unused bits.
        expect(verifyClickToken(tampered, key)).toBeUndefined();
        expect(verifyClickToken(`${n + 1}${token.slice(String(n).length)}`, key)).toBeUndefined();
        expect(verifyClickToken(token.slice(0, -1), key)).toBeUndefined();
        expect(verifyClickToken(`${token}A`, key)).toBeUndefined();
      }),
      { numRuns: 5000 },
    );
  });

  it('random strings never verify', () => {
    const shaped = fc.tuple(
      id,
      fc.string({
        unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')),
        minLength: 22,
        maxLength: 22,
      }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          shaped.map(([n, sig]) => `${n}.${sig}`),
        ),
        (s) => {
          expect(verifyClickToken(s, key)).toBeUndefined();
          expect(verifyOpenToken(s, key)).toBeUndefined();
        },
      ),
      { numRuns: 10000 },
    );
  });

  it('malformed tokens are refused', () => {
    for (const t of [
      '',
      '.',
      '0.AAAAAAAAAAAAAAAAAAAAAA',
      '-1.AAAAAAAAAAAAAAAAAAAAAA',
      '01.AAAAAAAAAAAAAAAAAAAAAA',
      '1',
      '1.',
      '../../etc',
      '1.AAAAAAAAAAAAAAAAAAAAAA\n',
    ]) {
      expect(verifyClickToken(t, key)).toBeUndefined();
    }
  });
});
