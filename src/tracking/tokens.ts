import { signId, verifySignedId } from '../lib/signed-id';

/**
 * The tokens of `GET /c/:token` (click: names a `links` row, which holds the send and the
 * target) and `GET /o/:token` (open: names a `sends` row), both `42.q0Zq…` signed under
 * LINK_SIGNING_KEY (src/lib/signed-id.ts). The redirect goes only to the URL stored in the row
 * the token names, so a token says *which* stored link, never *where*: nothing in the URL can
 * steer the redirect. Distinct purpose prefixes keep a click token from verifying as an open
 * token (or as any other signed link) made with the same key.
 */
const CLICK = 'almanac:click:';
const OPEN = 'almanac:open:';

const base = (publicUrl: string) => publicUrl.replace(/\/+$/, '');

export const signClickToken = (linkId: number, key: string): string => signId(CLICK, linkId, key);
export const signOpenToken = (sendId: number, key: string): string => signId(OPEN, sendId, key);

/** The `links.id` of a genuine click token, or undefined for anything forged, altered or malformed. */
export const verifyClickToken = (token: string, key: string): number | undefined => verifySignedId(CLICK, token, key);

/** The `sends.id` of a genuine open token, or undefined for anything forged, altered or malformed. */
export const verifyOpenToken = (token: string, key: string): number | undefined => verifySignedId(OPEN, token, key);

/** `https://shop.example/c/42.q0Zq…` */
export const clickUrl = (publicUrl: string, linkId: number, key: string): string => `${base(publicUrl)}/c/${signClickToken(linkId, key)}`;

/** `https://shop.example/o/42.q0Zq…` */
export const openUrl = (publicUrl: string, sendId: number, key: string): string => `${base(publicUrl)}/o/${signOpenToken(sendId, key)}`;
