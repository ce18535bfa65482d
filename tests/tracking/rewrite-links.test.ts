import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAttribute } from '../../src/tracking/entities';
import { ownLinks } from '../../src/tracking/own-links';
import { safeRedirectTarget } from '../../src/tracking/redirect-target';
import { planLinks, rewriteLinks, rewriteTextLinks } from '../../src/tracking/rewrite-links';

const marker = (position: number) => `https://t.test/c/${position}`;
const trackedUrl = (position: number) => marker(position);
const utm = { source: 'almanac', medium: 'email', campaign: 'bf' };
const q = 'utm_source=almanac&utm_medium=email&utm_campaign=bf';

describe('rewriteLinks', () => {
  it('tracks http(s) links in any quoting and case, in document order', () => {
    const html = `<p><a href="https://shop.example/a">A</a> <A CLASS=b HREF='https://shop.example/b'>B</A> <a href=https://shop.example/c>C</a></p>`;
    const out = rewriteLinks(html, { trackedUrl });
    expect(out.html).toBe(`<p><a href="${marker(0)}">A</a> <A CLASS=b HREF='${marker(1)}'>B</A> <a href=${marker(2)}>C</a></p>`);
    expect(out.links).toEqual([
      { position: 0, url: 'https://shop.example/a' },
      { position: 1, url: 'https://shop.example/b' },
      { position: 2, url: 'https://shop.example/c' },
    ]);
  });

  it('decodes entities before judging, and adds UTM the URL lacks', () => {
    const out = rewriteLinks('<a href="https://shop.example/p?x=1&amp;utm_source=fb#top">x</a>', { trackedUrl, utm });
    expect(out.links).toEqual([{ position: 0, url: 'https://shop.example/p?x=1&utm_source=fb&utm_medium=email&utm_campaign=bf#top' }]);
    expect(out.html).toBe(`<a href="${marker(0)}">x</a>`);
  });

  it('passes the final target to trackedUrl and escapes what it returns', () => {
    const out = rewriteLinks(`<a href="https://shop.example/">x</a><a href=https://shop.example/>y</a>`, {
      trackedUrl: (p, url) => `https://t.test/c/${p}?to=${url}&"x y`,
    });
    expect(out.html).toBe(
      '<a href="https://t.test/c/0?to=https://shop.example/&amp;&quot;x y">x</a><a href="https://t.test/c/1?to=https://shop.example/&amp;&quot;x y">y</a>',
    );
  });

  it.each([
    ['<a href="mailto:ada@example.com">m</a>'],
    ['<a href="tel:+48123">t</a>'],
    ['<a href="#top">h</a>'],
    ['<a href="/relative">r</a>'],
    ['<a href="shop.example/p">r</a>'],
    ['<a href="">e</a>'],
    ['<a>no href</a>'],
    ['<a href="javascript:alert(1)">j</a>'],
    ['<a href="JaVaScRiPt:alert(1)">j</a>'],
    ['<a href="java\tscript:alert(1)">j</a>'],
    ['<a href="&#106;avascript:alert(1)">j</a>'],
    ['<a href="&#x6A;avascript&colon;alert(1)">j</a>'],
    ['<a href="data:text/html,<script>alert(1)</script>">d</a>'],
    ['<a href="https://a@b.com">u</a>'],
    ['<a href="https:\\\\evil.com">b</a>'],
    ['<a href="https:&bsol;&bsol;evil.com">b</a>'],
    ['<a href="//evil.com">s</a>'],
    ['<a href="http://%00">z</a>'],
    ['<a href="https://shop.example/a b">w</a>'],
    [`<a href="https://shop.example/${'a'.repeat(3000)}">long</a>`],
    ['<a href="{{cart.url}}">c</a>'],
    ['<a href="https://shop.example/{{id}}">c</a>'],
    ['<a href="https://shop.example/&unknownentity;">c</a>'],
    ['<!-- <a href="https://shop.example/">c</a> -->'],
    ['<!--[if mso]><v:roundrect href="https://shop.example/"><a href="https://shop.example/">o</a><![endif]-->'],
    ['<style>a[href="https://shop.example/"]{}</style><title><a href="https://shop.example/"></title>'],
    ['<area href="https://shop.example/"><link href="https://shop.example/"><img src="https://shop.example/x.png">'],
    ['<a href="https://shop.example/'],
  ])('leaves %j exactly as it is', (html) => {
    const out = rewriteLinks(html, { trackedUrl, utm });
    expect(out).toEqual({ html, links: [] });
  });

  it('data-almanac-track="false" opts a link out; every data-almanac-track attribute is removed', () => {
    const html =
      '<a href="https://shop.example/a" data-almanac-track="false">a</a>' +
      "<a DATA-ALMANAC-TRACK='FALSE'\nhref=https://shop.example/b>b</a>" +
      '<a data-almanac-track="true" href="https://shop.example/c">c</a>';
    const out = rewriteLinks(html, { trackedUrl });
    expect(out.html).toBe(`<a href="https://shop.example/a">a</a><a\nhref=https://shop.example/b>b</a><a href="${marker(0)}">c</a>`);
    expect(out.links).toEqual([{ position: 0, url: 'https://shop.example/c' }]);
  });

  it('removing data-almanac-track never glues the tag name to the next attribute', () => {
    const html = `<a data-almanac-track="false"href="https://shop.example/a">a</a><a/data-almanac-track=false href=https://shop.example/b>b</a><a href="https://shop.example/c"data-almanac-track="false"title=t>c</a>`;
    expect(rewriteLinks(html, { trackedUrl }).html).toBe(
      `<a href="https://shop.example/a">a</a><a href=https://shop.example/b>b</a><a href="https://shop.example/c"title=t>c</a>`,
    );
  });

  it('strips the whitespace browsers strip around an href', () => {
    const out = rewriteLinks('<a href="\n  https://shop.example/a  ">a</a>', { trackedUrl });
    expect(out.links).toEqual([{ position: 0, url: 'https://shop.example/a' }]);
    expect(out.html).toBe(`<a href="${marker(0)}">a</a>`);
  });

  it('the first of duplicate href attributes is the one (as in the browser)', () => {
    const out = rewriteLinks('<a href="https://shop.example/a" href="javascript:x">a</a>', { trackedUrl });
    expect(out.html).toBe(`<a href="${marker(0)}" href="javascript:x">a</a>`);
  });

  it('excluded links (unsubscribe, preferences, view in browser under PUBLIC_URL) stay as they are', () => {
    const exclude = ownLinks('https://mail.shop.example');
    const html =
      '<a href="https://mail.shop.example/u/42.abc">unsubscribe</a><a href="https://mail.shop.example/preferences/7.x">prefs</a>' +
      '<a href="https://mail.shop.example/v/42.abc">view</a><a href="https://mail.shop.example/used/1">used</a><a href="https://shop.example/u/1">other host</a>';
    const out = rewriteLinks(html, { trackedUrl, exclude });
    expect(out.links.map((l) => l.url)).toEqual(['https://mail.shop.example/used/1', 'https://shop.example/u/1']);
    expect(out.html).toContain('<a href="https://mail.shop.example/u/42.abc">');
    expect(out.html).toContain('<a href="https://mail.shop.example/preferences/7.x">');
    expect(out.html).toContain('<a href="https://mail.shop.example/v/42.abc">');
  });

  it('two links to the same page are two positions', () => {
    const out = rewriteLinks('<a href="https://shop.example/p"><img></a><a href="https://shop.example/p">Buy</a>', { trackedUrl });
    expect(out.links).toEqual([
      { position: 0, url: 'https://shop.example/p' },
      { position: 1, url: 'https://shop.example/p' },
    ]);
  });

  it('tracks without UTM when adding it would make the target too long', () => {
    const url = `https://shop.example/${'a'.repeat(2020)}`;
    const out = rewriteLinks(`<a href="${url}">x</a>`, { trackedUrl, utm });
    expect(out.links).toEqual([{ position: 0, url }]);
  });
});

describe('rewriteTextLinks and planLinks', () => {
  it('text URLs reuse the HTML position of the same target, new ones number on', () => {
    const html = rewriteLinks('<a href="https://shop.example/a">a</a><a href="https://shop.example/b">b</a>', { trackedUrl, utm });
    const text = rewriteTextLinks('A: https://shop.example/b.\nNew (https://shop.example/n) and again https://shop.example/n!', {
      trackedUrl,
      utm,
      known: html.links,
    });
    expect(text.text).toBe(`A: ${marker(1)}.\nNew (${marker(2)}) and again ${marker(2)}!`);
    expect(text.links).toEqual([...html.links, { position: 2, url: `https://shop.example/n?${q}` }]);
  });

  it('leaves unsafe, excluded, templated and non-http text alone', () => {
    const text =
      'mailto:a@b.c javascript:alert(1) https://a@b.com https://x.example/{{id}} https://mail.example/u/1.x <https://ok.example/p> xhttps://no.example';
    const out = rewriteTextLinks(text, { trackedUrl, exclude: ownLinks('https://mail.example') });
    expect(out.text).toBe(
      `mailto:a@b.c javascript:alert(1) https://a@b.com https://x.example/{{id}} https://mail.example/u/1.x <${marker(0)}> xhttps://no.example`,
    );
  });

  it('keeps balanced brackets in a URL, drops trailing punctuation', () => {
    const out = rewriteTextLinks('See https://en.example/wiki/A_(b), or https://shop.example/x?y=1;', { trackedUrl });
    expect(out.links.map((l) => l.url)).toEqual(['https://en.example/wiki/A_(b)', 'https://shop.example/x?y=1']);
  });

  it('planLinks: one plan, both parts, rewritten once the ids are known', () => {
    const plan = planLinks(
      { html: '<a href="https://shop.example/a">a</a>', text: 'https://shop.example/a https://shop.example/t' },
      { utm },
    );
    expect(plan.links).toEqual([
      { position: 0, url: `https://shop.example/a?${q}` },
      { position: 1, url: `https://shop.example/t?${q}` },
    ]);
    const ids = [101, 102];
    expect(plan.rewrite((p) => `https://t.test/c/${ids[p]}`)).toEqual({
      html: '<a href="https://t.test/c/101">a</a>',
      text: 'https://t.test/c/101 https://t.test/c/102',
    });
  });
});

describe('rewriteLinks, property', () => {
  const hrefs = fc.constantFrom(
    'https://shop.example/a',
    'https://shop.example/p?x=1&amp;y=2#f',
    'HTTPS://Shop.Example/B',
    '  https://shop.example/ws  ',
    'https://shop.example/&eacute;',
    'https://mail.example/u/1.abc',
    'https://shop.example/{{id}}',
    '{{url}}',
    'mailto:a@b.c',
    'tel:1',
    '#top',
    '/rel',
    '',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    '&#106;avascript:alert(1)',
    'java&Tab;script:alert(1)',
    'java\tscript:x',
    'data:text/html,x',
    'https://a@b.com',
    'https:\\\\evil.com',
    'https:&bsol;&bsol;evil.com',
    '//evil.com',
    'http://%00',
    'https://shop.example/&bogus;',
    'https://shop.example/a b',
    'https://shop.example/<x>',
    "https://shop.example/it's",
    'https://shop.example/"q"',
  );
  type Anchor = {
    kind: 'a';
    tag: string;
    attr: string;
    quote: string;
    href: string;
    track: 'none' | 'false' | 'true';
    trackFirst: boolean;
    extra: string;
  };
  type Fragment = { kind: 'text'; s: string } | { kind: 'open' } | { kind: 'close' } | Anchor;
  const anchor: fc.Arbitrary<Fragment> = fc
    .record({
      kind: fc.constant('a' as const),
      tag: fc.constantFrom('a', 'A'),
      attr: fc.constantFrom('href', 'HREF', 'Href'),
      quote: fc.constantFrom('"', "'", ''),
      href: hrefs,
      track: fc.constantFrom('none', 'false', 'true'),
      trackFirst: fc.boolean(),
      extra: fc.constantFrom('', ' class="btn"', " title='a>b'", ' target=_blank', '\nstyle="color:red"'),
    })
    .filter((a) => (a.quote === '' ? /^[^\s>"'`=<]+$/.test(a.href) : !a.href.includes(a.quote)));
  const fragment: fc.Arbitrary<Fragment> = fc.oneof(
    { weight: 4, arbitrary: anchor },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(
          'hello ',
          '<p>',
          '</p>',
          '\n',
          'a < b ',
          '&amp; ',
          '<img src="https://img.example/x.png">',
          '<br/>',
          '</a>',
          '<style>p{}</style>',
          'https://bare.example/ ',
        )
        .map((s) => ({ kind: 'text' as const, s })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'open' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
  );

  const renderAnchor = (a: Anchor, value: string, withTrack: boolean) => {
    const track = withTrack && a.track !== 'none' ? ` data-almanac-track="${a.track}"` : '';
    const href = ` ${a.attr}=${a.quote}${value}${a.quote}`;
    return `<${a.tag}${a.trackFirst ? track : ''}${a.extra}${href}${a.trackFirst ? '' : track}>x</${a.tag}>`;
  };
  const render = (f: Fragment, withTrack: boolean) =>
    f.kind === 'text' ? f.s : f.kind === 'open' ? '<!-- ' : f.kind === 'close' ? ' -->' : renderAnchor(f, f.href, withTrack);

  const exclude = ownLinks('https://mail.example');

  it('only hrefs change: restoring tracked hrefs gives the input minus data-almanac-track, and exactly the safe links are tracked', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 25 }), fc.boolean(), (fragments, withUtmParams) => {
        const input = fragments.map((f) => render(f, true)).join('');
        const out = rewriteLinks(input, { trackedUrl, exclude, ...(withUtmParams ? { utm } : {}) });

        // Walk the output fragment by fragment: each anchor is either as written or carries the next marker.
        let at = 0;
        let inComment = false;
        const trackedRaw: string[] = [];
        for (const f of fragments) {
          if (f.kind !== 'a') {
            const s = render(f, false);
            expect(out.html.startsWith(s, at)).toBe(true);
            at += s.length;
            if (f.kind === 'open') inComment = true;
            if (f.kind === 'close') inComment = false;
            continue;
          }
          const untouched = renderAnchor(f, f.href, inComment);
          const tracked = renderAnchor(f, marker(trackedRaw.length), false);
          const decoded = decodeAttribute(f.href)?.trim();
          const safe = decoded === undefined || /\{\{|\}\}/.test(decoded) ? undefined : safeRedirectTarget(decoded);
          const shouldTrack = !inComment && f.track !== 'false' && safe?.ok === true && !exclude(safe.url);
          if (shouldTrack) {
            expect(out.html.startsWith(tracked, at)).toBe(true);
            const link = out.links[trackedRaw.length]!;
            expect(link.position).toBe(trackedRaw.length);
            expect(safeRedirectTarget(link.url)).toEqual({ ok: true, url: link.url });
            expect(link.url.startsWith(safe.url.split('#')[0]!.replace(/\?$/, ''))).toBe(true);
            if (!withUtmParams) expect(link.url).toBe(safe.url);
            trackedRaw.push(f.href);
            at += tracked.length;
          } else {
            expect(out.html.startsWith(untouched, at)).toBe(true);
            at += untouched.length;
          }
        }
        expect(at).toBe(out.html.length);
        expect(out.links).toHaveLength(trackedRaw.length);

        // The property as stated: put the original targets back, and only the data-almanac-track attributes differ.
        const inputWithoutTrack = (() => {
          let comment = false;
          return fragments
            .map((f) => {
              if (f.kind === 'open') comment = true;
              if (f.kind === 'close') comment = false;
              return f.kind === 'a' ? renderAnchor(f, f.href, comment) : render(f, false);
            })
            .join('');
        })();
        const restored = out.html.replace(/https:\/\/t\.test\/c\/(\d+)/g, (_, n: string) => trackedRaw[Number(n)]!);
        expect(restored).toBe(inputWithoutTrack);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('rewriteLinks, adversarial size', () => {
  it('stays linear on a large message and on pathological input', () => {
    const block =
      '<tr><td><a href="https://shop.example/p?id=1&amp;x=2" class="btn">Buy</a> <!-- c --> text &amp; <img src="x"></td></tr>\n';
    const started = performance.now();
    const plan = planLinks({ html: block.repeat(5000), text: 'Buy https://shop.example/p?id=1&x=2 now.\n'.repeat(2000) }, { utm });
    expect(plan.links).toHaveLength(5000);
    plan.rewrite(trackedUrl);
    planLinks({
      html: `<a href="${'&'.repeat(100_000)}">${'<!--'.repeat(20_000)}<a ${'x='.repeat(50_000)}`,
      text: `https://${')'.repeat(20_000)} https://a.example/${'&a'.repeat(20_000)}`,
    });
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
