import type { OutgoingMessage, RenderedMessage } from './types';

/**
 * The post-render seam: a message, once rendered and addressed, passes through a list of pure
 * transforms before the transport (the dispatcher) or the screen (preview, view in browser).
 * This is the one place for what is not the template's business — today the preheader; the
 * `List-Unsubscribe` headers (a transform setting `headers`) and click-tracking link rewriting
 * (a transform over `html` and `text`) belong here too. Templates are never edited for these.
 */
export type MessageTransform = (m: OutgoingMessage) => OutgoingMessage;

export function applyTransforms(message: OutgoingMessage, transforms: readonly MessageTransform[]): OutgoingMessage {
  return transforms.reduce((m, transform) => transform(m), message);
}

/** Leaves the message as it is: the pipeline's neutral element. */
export const identity: MessageTransform = (m) => m;

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/**
 * The preheader (from meta.yaml): the line inbox lists show after the subject. Inserted as a
 * hidden block first thing in `<body>` (or first in the HTML when there is no body tag), padded
 * with invisible characters so the client does not pull body text into the preview after it.
 * The text is HTML-escaped here; nothing happens without a preheader or without an HTML part.
 */
export function preheader(text: string | undefined): MessageTransform {
  if (!text) return identity;
  const block =
    '<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all">' +
    `${escapeHtml(text)}${'&#847;&zwnj;&nbsp;'.repeat(20)}</div>`;
  return (m) => {
    if (m.html === '') return m;
    const body = /<body[^>]*>/i.exec(m.html);
    const at = body ? body.index + body[0].length : 0;
    return { ...m, html: `${m.html.slice(0, at)}${block}${m.html.slice(at)}` };
  };
}

/**
 * RFC 2369 `List-Unsubscribe` with RFC 8058 one-click: on every message that has an unsubscribe
 * URL (marketing sends: the dispatcher signs one per send, src/consent/unsubscribe-token.ts),
 * `List-Unsubscribe: <https://…/u/TOKEN>` — plus `<mailto:…>` when UNSUBSCRIBE_MAILTO names a
 * mailbox someone reads — and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, which Gmail
 * and Yahoo require of bulk senders: the mail client POSTs that body to the URL and the person is
 * out at once (src/http/unsubscribe.ts). Transactional mail has no URL and gets neither header.
 */
export function listUnsubscribe(options: { mailto?: string } = {}): MessageTransform {
  return (m) => {
    if (!m.unsubscribeUrl) return m;
    const token = m.unsubscribeUrl.slice(m.unsubscribeUrl.lastIndexOf('/') + 1);
    const mailto = options.mailto ? `, <mailto:${options.mailto}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>` : '';
    return {
      ...m,
      headers: {
        ...m.headers,
        'List-Unsubscribe': `<${m.unsubscribeUrl}>${mailto}`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    };
  };
}

/**
 * The transforms for one rendered message, in order: per-message ones from the render result
 * (the preheader), then the process-wide ones the dispatcher was given (later: list-unsubscribe,
 * click tracking).
 */
export function messageTransforms(
  rendered: Pick<RenderedMessage, 'preheader'>,
  shared: readonly MessageTransform[] = [],
): MessageTransform[] {
  return [preheader(rendered.preheader), ...shared];
}
