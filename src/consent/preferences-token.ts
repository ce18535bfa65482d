import { signId, verifySignedId } from '../lib/signed-id';

/**
 * The token of `/preferences/:token` (the preference centre): the contact id signed under
 * LINK_SIGNING_KEY (src/lib/signed-id.ts) — `17.Xq3…`. Per person, not per send, and without
 * expiry: the link in a year-old mail still opens that person's preferences (and nobody else's:
 * forging one means guessing 128 bits).
 */
const PURPOSE = 'almanac:preferences:';

export const signPreferencesToken = (contactId: number, key: string): string => signId(PURPOSE, contactId, key);

/** The contact id of a genuine token, or undefined for anything forged, altered or malformed. */
export const verifyPreferencesToken = (token: string, key: string): number | undefined => verifySignedId(PURPOSE, token, key);

/** `https://shop.example/preferences/17.Xq3…` */
export function preferencesUrl(publicUrl: string, contactId: number, key: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/preferences/${signPreferencesToken(contactId, key)}`;
}
