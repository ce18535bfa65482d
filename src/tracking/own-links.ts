/**
 * Almanac's own links under PUBLIC_URL that click tracking must leave alone: unsubscribe
 * (`/u/`), preferences (`/preferences/`), view in browser (`/v/`), double opt-in (`/confirm/`),
 * and already-tracked `/c/` and `/o/` URLs. Wrapping the unsubscribe link would put a redirect
 * (and a bot-prone click record) between a person and leaving, and mailbox providers check that
 * the List-Unsubscribe URL and the body's link work directly. Matched on the parsed URL's
 * origin and path, so `https://shop.example/u/…` is excluded and `https://shop.example/used/…`
 * or `https://other.example/u/…` are not.
 */
const OWN_PATHS = ['u', 'preferences', 'v', 'confirm', 'c', 'o'];

export function ownLinks(publicUrl: string): (url: string) => boolean {
  let base: URL;
  try {
    base = new URL(publicUrl);
  } catch {
    return () => false;
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  return (url) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (u.origin !== base.origin || !u.pathname.startsWith(`${prefix}/`)) return false;
    const first = u.pathname.slice(prefix.length + 1).split('/', 1)[0]!;
    return OWN_PATHS.includes(first) && u.pathname.length > prefix.length + first.length + 1;
  };
}
