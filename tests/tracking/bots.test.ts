import { describe, expect, it } from 'vitest';
import { classifyClick, classifyOpen, type ClickRequest } from '../../src/tracking/bots';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const delivered = new Date('2026-11-27T10:00:00Z');
const at = (seconds: number) => new Date(delivered.getTime() + seconds * 1000);

const click = (over: Partial<ClickRequest> = {}): ClickRequest => ({
  method: 'GET',
  userAgent: CHROME,
  clickedAt: at(3600),
  deliveredAt: delivered,
  sameSendClicks: [],
  linkCount: 3,
  ...over,
});

describe('classifyClick', () => {
  it('a person in a browser an hour after delivery is human', () => {
    expect(classifyClick(click())).toEqual({ bot: false });
    expect(classifyClick(click({ userAgent: IPHONE, deliveredAt: null }))).toEqual({ bot: false });
    expect(
      classifyClick(click({ userAgent: 'Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36' })),
    ).toEqual({
      bot: false,
    });
  });

  it('HEAD requests are scanners', () => {
    expect(classifyClick(click({ method: 'HEAD' }))).toEqual({ bot: true, reason: 'HEAD request' });
    expect(classifyClick(click({ method: 'head' }))).toMatchObject({ bot: true });
  });

  it.each([
    ['Mozilla/5.0 (compatible; Barracuda Sentinel)', 'Barracuda'],
    ['Mimecast URL Protect', 'Mimecast'],
    ['Proofpoint URL Defense/1.0', 'Proofpoint'],
    ['Mozilla/5.0 (Windows NT 10.0) Microsoft-URLAnalyzer SafeLinks', 'Microsoft Defender Safe Links'],
    ['Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b', 'BingPreview'],
    ['Google-Safety', 'Google-Safety'],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
    ['python-requests/2.32.3', 'HTTP library'],
    ['curl/8.5.0', 'HTTP library'],
    ['Wget/1.21.4', 'HTTP library'],
    ['Go-http-client/1.1', 'HTTP library'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', 'headless browser'],
    ['facebookexternalhit/1.1', 'link preview'],
    ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'link preview'],
    ['SomeCrawler/1.0', 'bot'],
    ['Outlook link preview', 'bot'],
  ])('user agent %j → %s', (userAgent, name) => {
    expect(classifyClick(click({ userAgent }))).toEqual({ bot: true, reason: `user agent: ${name}` });
  });

  it('no user agent at all is a machine', () => {
    expect(classifyClick(click({ userAgent: '' }))).toEqual({ bot: true, reason: 'no user agent' });
    expect(classifyClick(click({ userAgent: null }))).toEqual({ bot: true, reason: 'no user agent' });
  });

  it('a click within 10 s of delivery is a scanner (configurable)', () => {
    expect(classifyClick(click({ clickedAt: at(4) }))).toEqual({ bot: true, reason: 'clicked 4 s after delivery' });
    expect(classifyClick(click({ clickedAt: at(-2) }))).toMatchObject({ bot: true });
    expect(classifyClick(click({ clickedAt: at(10) }))).toEqual({ bot: false });
    expect(classifyClick(click({ clickedAt: at(25) }), { afterDeliverySeconds: 30 })).toMatchObject({ bot: true });
    expect(classifyClick(click({ clickedAt: at(4) }), { afterDeliverySeconds: 0 })).toEqual({ bot: false });
  });

  it('every link of a multi-link message clicked within a few seconds is a scanner (configurable)', () => {
    const burst = [
      { position: 0, clickedAt: at(600) },
      { position: 1, clickedAt: at(601) },
    ];
    expect(classifyClick(click({ clickedAt: at(602), position: 2, sameSendClicks: burst }))).toEqual({
      bot: true,
      reason: 'all 3 links clicked within 5 s',
    });
    // Without this click's position: the other links must all have been clicked.
    expect(classifyClick(click({ clickedAt: at(602), sameSendClicks: burst }))).toMatchObject({ bot: true });
    // A repeat click on a link already clicked does not complete the set.
    expect(classifyClick(click({ clickedAt: at(602), position: 1, sameSendClicks: burst }))).toEqual({ bot: false });
    // Spread out: a person reading and clicking.
    expect(classifyClick(click({ clickedAt: at(700), position: 2, sameSendClicks: burst }))).toEqual({ bot: false });
    expect(classifyClick(click({ clickedAt: at(700), position: 2, sameSendClicks: burst }), { allLinksWithinSeconds: 120 })).toMatchObject({
      bot: true,
    });
    // A one-link message clicked once is just a click.
    expect(classifyClick(click({ linkCount: 1, position: 0 }))).toEqual({ bot: false });
  });
});

describe('classifyOpen', () => {
  it('Apple Mail Privacy Protection: bare Mozilla/5.0 and/or Apple 17.0.0.0/8', () => {
    expect(classifyOpen({ userAgent: 'Mozilla/5.0', ip: '17.58.100.1' })).toEqual({
      machine: true,
      proxy: 'apple',
      reason: 'Apple Mail Privacy Protection (bare "Mozilla/5.0" user agent, from Apple 17.0.0.0/8)',
    });
    expect(classifyOpen({ userAgent: 'Mozilla/5.0', ip: '203.0.113.9' })).toMatchObject({ machine: true, proxy: 'apple' });
    expect(classifyOpen({ userAgent: IPHONE, ip: '::ffff:17.1.2.3' })).toMatchObject({ machine: true, proxy: 'apple' });
    expect(classifyOpen({ userAgent: IPHONE, ip: '170.1.2.3' })).toEqual({ machine: false });
    expect(classifyOpen({ userAgent: IPHONE, ip: '117.1.2.3' })).toEqual({ machine: false });
  });

  it('Gmail prefetch is a machine; Google and Yahoo image proxies fetch when the person opens', () => {
    expect(
      classifyOpen({
        userAgent:
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Mozilla/5.0',
        ip: '66.249.84.1',
      }),
    ).toMatchObject({ machine: true, proxy: 'google' });
    expect(
      classifyOpen({
        userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
        ip: '66.249.84.1',
      }),
    ).toMatchObject({
      machine: false,
      proxy: 'google',
    });
    expect(
      classifyOpen({ userAgent: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html', ip: '98.136.1.1' }),
    ).toMatchObject({
      machine: false,
      proxy: 'yahoo',
    });
  });

  it('scanners and empty user agents are machines; a mail client is a person', () => {
    expect(classifyOpen({ userAgent: 'Barracuda Sentinel', ip: '1.2.3.4' })).toEqual({ machine: true, reason: 'user agent: Barracuda' });
    expect(classifyOpen({ userAgent: undefined, ip: undefined })).toEqual({ machine: true, reason: 'no user agent' });
    expect(
      classifyOpen({ userAgent: 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)', ip: '1.2.3.4' }),
    ).toEqual({ machine: false });
  });
});
