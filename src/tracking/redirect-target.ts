/**
 * What Almanac will ever store as a link target and redirect to (`GET /c/:token`, `POST /v1/links`,
 * rewritten template links). The check is deliberately narrower than what browsers accept, because
 * an open redirect on the shop's own domain is a phishing tool: only an absolute `http:`/`https:`
 * URL written out as such (`https://host…`), parsed with the WHATWG parser (the one browsers use,
 * so we judge the string the way the browser following our 302 will), and stored as the parser's
 * `href` so what we redirect to is exactly what we checked.
 *
 * Refused, on the raw input before any parsing forgives it: backslashes (browsers read `\` as `/`
 * in special URLs: `https:\\evil.com`), ASCII control characters and whitespace (the parser drops
 * tabs and newlines: `java\tscript:`), bidi controls (a displayed target that reads differently),
 * scheme-relative and slash-less forms (`//evil`, `https:evil.com`), userinfo (`https://shop@evil`),
 * an empty host, every other scheme, and anything over 2048 characters (raw or serialised).
 */
export type RedirectTarget = { ok: true; url: string } | { ok: false; reason: string };

export const MAX_TARGET_LENGTH = 2048;

const refuse = (reason: string): RedirectTarget => ({ ok: false, reason });

export function safeRedirectTarget(raw: string): RedirectTarget {
  if (typeof raw !== 'string' || raw === '') return refuse('empty');
  if (raw.length > MAX_TARGET_LENGTH) return refuse(`longer than ${MAX_TARGET_LENGTH} characters`);
  if (raw.includes('\\')) return refuse('contains a backslash');
  // \p{Cc}: C0, DEL and C1 controls; \s: ASCII and Unicode whitespace; the bidi embeddings and isolates.
  if (/[\p{Cc}\s\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(raw)) return refuse('contains a control character or whitespace');
  const scheme = /^(https?):\/\//i.exec(raw);
  if (!scheme) return refuse('not an absolute http:// or https:// URL');
  const authority = raw.slice(scheme[0].length).split(/[/?#]/, 1)[0]!;
  if (authority === '') return refuse('empty host');
  if (authority.includes('@')) return refuse('contains userinfo (user@host)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return refuse('scheme is not http or https');
  if (url.username !== '' || url.password !== '') return refuse('contains userinfo (user@host)');
  if (url.hostname === '') return refuse('empty host');
  if (url.href.length > MAX_TARGET_LENGTH) return refuse(`longer than ${MAX_TARGET_LENGTH} characters once normalised`);
  return { ok: true, url: url.href };
}
