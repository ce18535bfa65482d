/**
 * The open pixel: what `GET /o/:token` answers (a 1×1 transparent GIF, the smallest image every
 * mail client renders) and the `<img>` the send's HTML carries. The tag is sized and styled so
 * no client gives it room (`display:block` avoids the line-height gap under an inline image;
 * `alt=""` keeps image-blocking clients from showing a broken-image label), and it goes last in
 * `<body>` so a client that stops loading images halfway still shows the content first.
 */

/**
 * GIF89a, 1×1, a two-colour palette and a graphic control extension making index 0 (the one pixel)
 * transparent: 43 bytes. Shared by every response: send it, never write into it.
 */
export const TRANSPARENT_GIF: Buffer = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

const escapeAttribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function openPixelTag(url: string): string {
  return `<img src="${escapeAttribute(url)}" width="1" height="1" alt="" border="0" style="display:block;width:1px;height:1px;border:0" />`;
}

/** `html` with `tag` just before the last `</body>`, or at the end without one; an empty HTML part stays empty. */
export function insertOpenPixel(html: string, tag: string): string {
  if (html === '') return html;
  const matches = [...html.matchAll(/<\/body\s*>/gi)];
  const at = matches.length > 0 ? matches[matches.length - 1]!.index : html.length;
  return `${html.slice(0, at)}${tag}${html.slice(at)}`;
}
