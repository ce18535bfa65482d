import { describe, expect, it } from 'vitest';
import { ownLinks } from '../../src/tracking/own-links';

describe('ownLinks', () => {
  it('excludes our unsubscribe, preferences, view, confirm, click and open links under PUBLIC_URL', () => {
    const own = ownLinks('https://mail.shop.example/');
    for (const url of ['/u/1.x', '/preferences/1.x', '/v/1.x', '/confirm/1.x', '/c/1.x', '/o/1.x', '/u/1.x?utm_source=a']) {
      expect(own(`https://mail.shop.example${url}`)).toBe(true);
    }
    for (const url of [
      'https://mail.shop.example/used/1',
      'https://mail.shop.example/u',
      'https://shop.example/u/1',
      'http://mail.shop.example/u/1',
      'https://mail.shop.example:8443/u/1',
    ]) {
      expect(own(url)).toBe(false);
    }
  });

  it('respects a PUBLIC_URL with a path', () => {
    const own = ownLinks('https://shop.example/mail');
    expect(own('https://shop.example/mail/u/1.x')).toBe(true);
    expect(own('https://shop.example/u/1.x')).toBe(false);
  });
});
