/**
 * Which clicks and opens a person made, decided from the request alone and the send's recent
 * history (pure: the caller loads `sameSendClicks` and passes `deliveredAt`). A flagged click is
 * kept in the raw data with its reason but counts for neither attribution nor `wait_until`; a
 * machine open is reported apart from human ones. The rules err towards "human" where a person
 * is plausible — a wrongly dropped sale is worse than one scanner click counted — except for the
 * patterns below, which no person's mail client produces.
 *
 * Sources for the patterns (kept here, in one place; the name lists are heuristics, the timing
 * rules carry as much weight):
 * - Link scanners of security gateways fetch the links of a message on delivery, often with a
 *   HEAD first and within seconds: Microsoft Defender for Office 365 Safe Links, Mimecast URL
 *   Protect, Proofpoint URL Defense, Barracuda Link Protection, Cisco Secure Email (IronPort),
 *   Trend Micro, Sophos, Symantec/Broadcom, Forcepoint, FortiMail, Zscaler (the vendors' own
 *   descriptions of time-of-click / pre-delivery URL checks; ESP write-ups such as SparkPost's
 *   and Postmark's on "bot clicks"). Many fetch with a browser-like user agent, so the names only
 *   catch the ones that say who they are.
 * - Google's list of its crawlers names `Google-Safety` (abuse and malware checks of links);
 *   `BingPreview` renders page previews (Bing, Outlook.com); chat apps that unfurl a forwarded
 *   link (`facebookexternalhit`, `Slackbot-LinkExpanding`, `WhatsApp`, `TelegramBot`, `Discordbot`)
 *   fetch it too — a fetch, not a person's click.
 * - HTTP libraries and headless browsers identify themselves: `curl`, `Wget`, `python-requests`,
 *   `python-urllib`, `Go-http-client`, `okhttp`, `Java/`, `Apache-HttpClient`, `libwww-perl`,
 *   `node-fetch`, `axios`, `undici`, `HeadlessChrome` (Puppeteer, Playwright), `PhantomJS`.
 * - Opens: Apple Mail Privacy Protection (iOS 15+, macOS 12+) loads remote content privately in
 *   the background, whether or not the message is read, hiding the reader's IP (Apple's support
 *   page "Use Mail Privacy Protection"); ESPs measuring it (Validity, SparkPost/Bird, Litmus)
 *   see those fetches from Apple's 17.0.0.0/8 with the bare user agent `Mozilla/5.0`. Gmail
 *   prefetches for a signed-in, active session with a fixed old-Edge user agent from Google
 *   addresses (Bird, "Gmail prefetching images"). By contrast `GoogleImageProxy` (Gmail) and
 *   `YahooMailProxy` (Yahoo/AOL) fetch when the recipient opens the message — Validity: "caching
 *   happens at open" — so those are human opens seen through a proxy (`proxy` names it).
 */

export interface ClickRequest {
  method: string;
  userAgent: string | null | undefined;
  clickedAt: Date;
  /** When the provider reported delivery (or the send time when no delivery report came). */
  deliveredAt: Date | null | undefined;
  /** This click's link position, when known: makes "every link clicked" exact (without it, the other links must all have been clicked). */
  position?: number;
  /** Earlier clicks on the same send (any position), this one not included. */
  sameSendClicks: ReadonlyArray<{ position: number; clickedAt: Date }>;
  /** How many tracked links the message has. */
  linkCount: number;
}

export interface ClickRules {
  /** A click this soon after delivery is a scanner's. Default 10 s. */
  afterDeliverySeconds: number;
  /** Every link of a multi-link message clicked within this span is a scanner's. Default 5 s. */
  allLinksWithinSeconds: number;
}

export const DEFAULT_CLICK_RULES: Readonly<ClickRules> = Object.freeze({ afterDeliverySeconds: 10, allLinksWithinSeconds: 5 });

export type ClickVerdict = { bot: false } | { bot: true; reason: string };

/** User agents no person's mail client or browser sends; the first match names the reason. */
export const SCANNER_USER_AGENTS: ReadonlyArray<{ pattern: RegExp; name: string }> = Object.freeze([
  { pattern: /barracuda/i, name: 'Barracuda' },
  { pattern: /mimecast/i, name: 'Mimecast' },
  { pattern: /proofpoint|urldefense/i, name: 'Proofpoint' },
  { pattern: /safelinks|microsoft[- ]?defender|microsoft-urlanalyzer/i, name: 'Microsoft Defender Safe Links' },
  { pattern: /bingpreview/i, name: 'BingPreview' },
  { pattern: /google-safety/i, name: 'Google-Safety' },
  { pattern: /ironport|cisco secure email/i, name: 'Cisco' },
  { pattern: /trend ?micro/i, name: 'Trend Micro' },
  { pattern: /sophos/i, name: 'Sophos' },
  { pattern: /symantec|broadcom|messagelabs/i, name: 'Symantec' },
  { pattern: /forcepoint|websense/i, name: 'Forcepoint' },
  { pattern: /forti(mail|guard|net)/i, name: 'Fortinet' },
  { pattern: /zscaler/i, name: 'Zscaler' },
  { pattern: /facebookexternalhit|whatsapp|slack|telegrambot|discordbot|skypeuripreview/i, name: 'link preview' },
  { pattern: /headlesschrome|phantomjs|puppeteer|playwright|selenium|webdriver/i, name: 'headless browser' },
  {
    pattern:
      /^curl\/|wget|python-requests|python-urllib|aiohttp|httpx|go-http-client|okhttp|^java\/|apache-httpclient|libwww-perl|node-fetch|axios|undici/i,
    name: 'HTTP library',
  },
  // `bot` as a word ending (Googlebot/, AhrefsBot), but not the Cubot phone brand.
  { pattern: /(?<!cu)bot\b|crawler|spider|scanner|\bpreview\b|checker/i, name: 'bot' },
]);

function scanner(userAgent: string | null | undefined): string | undefined {
  if (userAgent === null || userAgent === undefined || userAgent.trim() === '') return 'no user agent';
  const hit = SCANNER_USER_AGENTS.find((s) => s.pattern.test(userAgent));
  return hit && `user agent: ${hit.name}`;
}

export function classifyClick(click: ClickRequest, rules: Partial<ClickRules> = {}): ClickVerdict {
  const r = { ...DEFAULT_CLICK_RULES, ...rules };
  if (click.method.toUpperCase() === 'HEAD') return { bot: true, reason: 'HEAD request' };
  const ua = scanner(click.userAgent);
  if (ua) return { bot: true, reason: ua };
  if (click.deliveredAt) {
    const seconds = (click.clickedAt.getTime() - click.deliveredAt.getTime()) / 1000;
    if (seconds < r.afterDeliverySeconds) return { bot: true, reason: `clicked ${Math.max(0, Math.round(seconds))} s after delivery` };
  }
  if (click.linkCount > 1) {
    const since = click.clickedAt.getTime() - r.allLinksWithinSeconds * 1000;
    const recent = new Set(click.sameSendClicks.filter((c) => c.clickedAt.getTime() >= since).map((c) => c.position));
    if (click.position !== undefined) recent.add(click.position);
    if (recent.size >= (click.position !== undefined ? click.linkCount : click.linkCount - 1)) {
      return { bot: true, reason: `all ${click.linkCount} links clicked within ${r.allLinksWithinSeconds} s` };
    }
  }
  return { bot: false };
}

export interface OpenRequest {
  userAgent: string | null | undefined;
  ip: string | null | undefined;
}

export interface OpenVerdict {
  /** Fetched by a machine without the person opening the message: reported apart, never a human open. */
  machine: boolean;
  /** A mailbox provider's image proxy that fetched on the person's behalf (Gmail, Yahoo): a human open, its IP and UA the proxy's. */
  proxy?: 'apple' | 'google' | 'yahoo';
  reason?: string;
}

/** Apple's 17.0.0.0/8, IPv4 or IPv4-mapped IPv6 (`::ffff:17.…`). */
function inApple17(ip: string | null | undefined): boolean {
  return ip !== null && ip !== undefined && /^(?:::ffff:)?17\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(ip);
}

/** The distinctive part of Gmail's prefetch user agent (an Edge 12 that never shipped with Chrome 42). */
const GMAIL_PREFETCH_UA = 'Chrome/42.0.2311.135 Safari/537.36 Edge/12.246';

export function classifyOpen(open: OpenRequest): OpenVerdict {
  const ua = (open.userAgent ?? '').trim();
  if (ua === 'Mozilla/5.0' || inApple17(open.ip)) {
    const why = [ua === 'Mozilla/5.0' ? 'bare "Mozilla/5.0" user agent' : '', inApple17(open.ip) ? 'from Apple 17.0.0.0/8' : ''].filter(
      Boolean,
    );
    return { machine: true, proxy: 'apple', reason: `Apple Mail Privacy Protection (${why.join(', ')})` };
  }
  if (ua.includes(GMAIL_PREFETCH_UA)) return { machine: true, proxy: 'google', reason: 'Gmail prefetch' };
  if (/GoogleImageProxy/i.test(ua)) return { machine: false, proxy: 'google', reason: 'Google Image Proxy (fetches when opened)' };
  if (/YahooMailProxy/i.test(ua)) return { machine: false, proxy: 'yahoo', reason: 'Yahoo Mail Proxy (fetches when opened)' };
  const bot = scanner(open.userAgent);
  if (bot) return { machine: true, reason: bot };
  return { machine: false };
}
