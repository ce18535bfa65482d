import { describe, expect, it } from 'vitest';
import { startTags } from '../../src/tracking/html-scan';

const names = (html: string) => startTags(html).map((t) => t.name);
const attrs = (html: string) => startTags(html)[0]!.attributes.map((a) => [a.name, a.value, a.quote]);

describe('startTags', () => {
  it('reads attributes in every quoting style, with exact offsets', () => {
    const html = `<A HREF="x" class='y z' data-n=3 checked\nid = "i">`;
    expect(attrs(html)).toEqual([
      ['href', 'x', '"'],
      ['class', 'y z', "'"],
      ['data-n', '3', ''],
      ['checked', '', ''],
      ['id', 'i', '"'],
    ]);
    for (const a of startTags(html)[0]!.attributes) expect(html.slice(a.valueStart, a.valueEnd)).toBe(a.value);
  });

  it('handles attributes without whitespace between and odd names', () => {
    expect(attrs(`<a href="x"title='t'/ =b>`)).toEqual([
      ['href', 'x', '"'],
      ['title', 't', "'"],
      ['=b', '', ''],
    ]);
    expect(attrs(`<a href=x>`)).toEqual([['href', 'x', '']]);
    expect(attrs(`<a href=>`)).toEqual([['href', '', '']]);
  });

  it('skips comments, bogus comments, end tags and raw text', () => {
    expect(names('<!-- <a href="x"> --><b><!--> <i> <!---> <u> <!-- a --!> <p>')).toEqual(['b', 'i', 'u', 'p']);
    expect(names('<!DOCTYPE html><?xml x?><![CDATA[<a>]]><a>')).toEqual(['a']);
    expect(names('</a href="<a>"><em>')).toEqual(['em']);
    expect(names('<style>a{} <a href="x"> </style ><title><a></title><textarea><a></textarea><s>')).toEqual([
      'style',
      'title',
      'textarea',
      's',
    ]);
    expect(names('1 < 2 <3 <a>')).toEqual(['a']);
  });

  it('Outlook conditional comments: the mso part is a comment, the !mso part is not', () => {
    const html = '<!--[if mso]><v:roundrect href="https://a"><![endif]--><!--[if !mso]><!--><a href="https://b">b</a><!--<![endif]-->';
    expect(names(html)).toEqual(['a']);
  });

  it('a tag cut off by the end of input is no tag', () => {
    expect(names('<a href="x')).toEqual([]);
    expect(names('<b><a href=x')).toEqual(['b']);
    expect(names('<!-- <a href="x">')).toEqual([]);
  });

  it('a quoted > does not end the tag', () => {
    expect(attrs('<a title="a>b" href="x">')).toEqual([
      ['title', 'a>b', '"'],
      ['href', 'x', '"'],
    ]);
  });
});
