import { signId, verifySignedId } from '../lib/signed-id';

/**
 * The token of `GET /v/:token` (view in browser): the send id signed under LINK_SIGNING_KEY
 * (src/lib/signed-id.ts) — `42.q0Zq…`. Knowing one token gives no other send's; the purpose
 * prefix keeps these signatures from being valid for any other kind of signed link made with
 * the same key.
 */
const PURPOSE = 'almanac:view:';

export const signViewToken = (sendId: number, key: string): string => signId(PURPOSE, sendId, key);

/** The send id of a genuine token, or undefined for anything forged, altered or malformed. */
export const verifyViewToken = (token: string, key: string): number | undefined => verifySignedId(PURPOSE, token, key);

/** `https://shop.example/v/42.q0Zq…` */
export function viewInBrowserUrl(publicUrl: string, sendId: number, key: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v/${signViewToken(sendId, key)}`;
}
