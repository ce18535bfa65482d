import { describe, expect, it } from 'vitest';
import { insertOpenPixel, openPixelTag, TRANSPARENT_GIF } from '../../src/tracking/pixel';

describe('open pixel', () => {
  it('is a 43-byte 1×1 GIF whose one pixel is transparent', () => {
    expect(TRANSPARENT_GIF.length).toBe(43);
    expect(TRANSPARENT_GIF.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(TRANSPARENT_GIF.readUInt16LE(6)).toBe(1);
    expect(TRANSPARENT_GIF.readUInt16LE(8)).toBe(1);
    // Graphic control extension with the transparency flag, transparent colour index 0.
    const gce = TRANSPARENT_GIF.indexOf(Buffer.from([0x21, 0xf9, 0x04]));
    expect(gce).toBeGreaterThan(0);
    expect(TRANSPARENT_GIF[gce + 3]! & 1).toBe(1);
    expect(TRANSPARENT_GIF[gce + 6]).toBe(0);
    expect(TRANSPARENT_GIF[TRANSPARENT_GIF.length - 1]).toBe(0x3b);
  });

  it('the tag is 1×1, alt="", border 0, display block, with the URL escaped', () => {
    const tag = openPixelTag('https://mail.example/o/1.abc?x=1&y="2"');
    expect(tag).toBe(
      '<img src="https://mail.example/o/1.abc?x=1&amp;y=&quot;2&quot;" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px;border:0" />',
    );
  });

  it('goes just before the last </body>, or at the end, and never into an empty HTML part', () => {
    expect(insertOpenPixel('<html><body><p>x</p></BODY ></html>', '<img>')).toBe('<html><body><p>x</p><img></BODY ></html>');
    expect(insertOpenPixel('<body>a</body><!-- </body> -->', '<img>')).toBe('<body>a</body><!-- <img></body> -->');
    expect(insertOpenPixel('<p>x</p>', '<img>')).toBe('<p>x</p><img>');
    expect(insertOpenPixel('', '<img>')).toBe('');
  });
});
