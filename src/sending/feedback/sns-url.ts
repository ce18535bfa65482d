/**
 * Which URLs Almanac will ever request on an SNS message's say: the signing certificate and the
 * subscription confirmation. Checked with the WHATWG URL parser (the one `fetch` uses, so what is
 * checked is what would be fetched) before any request: https only, the default port, no
 * user-info, and a host that is exactly `sns.<region>.amazonaws.com` (or `….amazonaws.com.cn`).
 * IP literals, `localhost`, `169.254.169.254`, `sns.us-east-1.amazonaws.com.evil.com` and
 * `evil.com@sns…` all fail here, so no forged message can make Almanac call another host.
 */
const SNS_HOST = /^sns\.[a-z]{2}(-[a-z]+)+-\d+\.amazonaws\.com(\.cn)?$/;

export type UrlCheck = { ok: true; url: URL } | { ok: false; problem: string };

function snsUrl(raw: string, what: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: `${what} is not a URL` };
  }
  if (url.protocol !== 'https:') return { ok: false, problem: `${what} must be https` };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: `${what} must not carry user-info` };
  if (url.port !== '') return { ok: false, problem: `${what} must use the default https port` };
  if (!SNS_HOST.test(url.hostname)) return { ok: false, problem: `${what} host ${url.hostname} is not sns.<region>.amazonaws.com` };
  if (url.hash !== '') return { ok: false, problem: `${what} must not have a fragment` };
  // What is checked, cached (by this exact string) and fetched is one and the same URL.
  if (url.href !== raw) return { ok: false, problem: `${what} is not written in canonical form (${url.href})` };
  return { ok: true, url };
}

/** `SigningCertURL`: an SNS host and a `.pem` path. */
export function signingCertUrl(raw: string): UrlCheck {
  const checked = snsUrl(raw, 'SigningCertURL');
  if (checked.ok && !checked.url.pathname.endsWith('.pem')) return { ok: false, problem: 'SigningCertURL is not a .pem file' };
  return checked;
}

/** `SubscribeURL`: an SNS host, and only the ConfirmSubscription action (never Unsubscribe or anything else). */
export function subscribeUrl(raw: string): UrlCheck {
  const checked = snsUrl(raw, 'SubscribeURL');
  if (checked.ok && checked.url.searchParams.get('Action') !== 'ConfirmSubscription') {
    return { ok: false, problem: 'SubscribeURL is not a ConfirmSubscription request' };
  }
  return checked;
}
