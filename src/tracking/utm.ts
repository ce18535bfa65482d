/**
 * UTM parameters on tracked links, so the shop's own analytics (and Almanac's "UTM / landing"
 * attribution) see which campaign sent the visitor even without our click record. The
 * marketer's own parameters always win: a `utm_*` key the URL already has — whatever its value,
 * even empty — is never replaced or duplicated. The URL is otherwise left as the WHATWG `URL`
 * serialises it: the existing query is kept byte for byte (not re-encoded through
 * URLSearchParams), new pairs are appended after it, and the fragment stays last.
 */
export interface Utm {
  source?: string;
  medium?: string;
  campaign?: string;
  content?: string;
}

/** The campaign's UTM when it configures none: `utm_source=almanac&utm_medium=email&utm_campaign=ID`. */
export function defaultUtm(campaignId: string): Required<Pick<Utm, 'source' | 'medium' | 'campaign'>> {
  return { source: 'almanac', medium: 'email', campaign: campaignId };
}

const KEYS = ['source', 'medium', 'campaign', 'content'] as const;

/** `url` with the utm_* pairs it lacks appended; `url` unchanged when nothing is missing or it does not parse. */
export function withUtm(url: string, utm: Utm): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const present = new Set([...parsed.searchParams.keys()].map((k) => k.toLowerCase()));
  const added = KEYS.filter((k) => utm[k] !== undefined && utm[k] !== '' && !present.has(`utm_${k}`))
    .map((k) => `utm_${k}=${encodeURIComponent(utm[k]!)}`)
    .join('&');
  const href = parsed.href;
  if (added === '') return href;
  // In a serialised URL the first `#` starts the fragment and the first `?` before it the query.
  const hashAt = href.includes('#') ? href.indexOf('#') : href.length;
  const beforeHash = href.slice(0, hashAt);
  const queryAt = beforeHash.includes('?') ? beforeHash.indexOf('?') : beforeHash.length;
  const query = beforeHash.slice(queryAt + 1);
  // Re-serialised so the result is in the parser's own form (it encodes `'` in queries, encodeURIComponent does not);
  // the parts that came from `href` are already in that form and come out unchanged.
  return new URL(`${beforeHash.slice(0, queryAt)}?${query === '' ? '' : `${query}&`}${added}${href.slice(hashAt)}`).href;
}
