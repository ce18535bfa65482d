import type { Context } from 'hono';

/** HTML-escape text put into a page (names, purposes, consent wording are user-controlled). */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The language of a consent page: Polish for a `pl*` contact, else English (the sample templates' two). */
export const pageLanguage = (locale: string | null | undefined): 'en' | 'pl' => (locale?.toLowerCase().startsWith('pl') ? 'pl' : 'en');

/** The small page of the unsubscribe and double opt-in links: a title and a body, nothing to load. */
export function consentPage(lang: 'en' | 'pl', title: string, body: string): string {
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5">` +
    `<main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`
  );
}

/** Pages behind a signed link: never cached, indexed or leaked as a Referer. */
export function noStore(c: Context): void {
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex, nofollow');
  c.header('Referrer-Policy', 'no-referrer');
}

/** The evidence of a click for the ledger: the first `X-Forwarded-For` address and the user agent. */
export function clickEvidence(c: Context): { ip: string | null; userAgent: string | null } {
  return { ip: c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || null, userAgent: c.req.header('user-agent') ?? null };
}
