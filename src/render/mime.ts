import { createHash, randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { OutgoingMessage } from './types';

/**
 * The one MIME builder: what the outbox stores and what SES `SendRawEmail` sends are the same
 * bytes. nodemailer's MailComposer does the encoding work: multipart/alternative with the text
 * part first and the HTML part last (clients show the last one they can), quoted-printable or
 * base64 bodies as the content needs (a message with an empty `html` is text/plain alone), RFC 2047 encoded-words for non-ASCII subjects and names,
 * folded headers. We add `Message-ID` (`<send-id.random@domain-of-from>`), `Date` from the
 * message (the tick's `now`), and the custom headers. Header values are made one line first, so
 * data cannot inject headers. The multipart boundary is derived from the Message-ID, so the same
 * message builds to the same bytes (simulate output stays reproducible).
 */
export async function buildMime(message: OutgoingMessage, options: { messageId?: string } = {}): Promise<Buffer> {
  const messageId = options.messageId ?? newMessageId(message);
  const headers = Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [oneLine(name), oneLine(value)]));
  const composer = new MailComposer({
    from: oneLine(message.from),
    to: oneLine(message.to),
    ...(message.replyTo ? { replyTo: oneLine(message.replyTo) } : {}),
    subject: oneLine(message.subject),
    text: message.text,
    ...(message.html === '' ? {} : { html: message.html }),
    headers,
    messageId,
    date: message.date,
    baseBoundary: createHash('sha256').update(messageId).digest('hex').slice(0, 16),
  } as ConstructorParameters<typeof MailComposer>[0]);
  return new Promise((resolve, reject) => {
    composer.compile().build((err, raw) => (err ? reject(err) : resolve(raw)));
  });
}

/** `<42.3f0c…@shop.example>`: the send id first, so a bounce's Message-ID leads back to the send. */
export function newMessageId(message: Pick<OutgoingMessage, 'sendId' | 'from'>, unique: () => string = randomUUID): string {
  return `<${message.sendId}.${unique()}@${domainOf(message.from)}>`;
}

/** `Shop <news@shop.example>` → `shop.example`; the Message-ID's right-hand side. */
export function domainOf(address: string): string {
  const match = /@([^\s>]+)>?\s*$/.exec(address);
  return match?.[1] ?? 'almanac.invalid';
}

/** Header values never span lines: a CR/LF in data would let it inject headers. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ');

/**
 * The decoded text/plain part of a stored message (for `GET /v1/outbox`, so a developer can read
 * a message without a MIME viewer). Understands what `buildMime` writes: quoted-printable,
 * base64 or 7bit parts, UTF-8.
 */
export function textPartOf(raw: string): string {
  const type = /^Content-Type: text\/plain/im.exec(raw);
  if (!type) return '';
  // The part's header block: from the blank line or boundary before Content-Type to the blank line after.
  const start = Math.max(raw.lastIndexOf('\r\n\r\n', type.index), raw.lastIndexOf('\n--', type.index), 0);
  const end = raw.indexOf('\r\n\r\n', type.index);
  if (end < 0) return '';
  const encoding = /Content-Transfer-Encoding:\s*([\w-]+)/i.exec(raw.slice(start, end))?.[1]?.toLowerCase();
  const next = raw.indexOf('\r\n--', end);
  const body = raw.slice(end + 4, next < 0 ? undefined : next).replace(/\r\n$/, '');
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body.replace(/\r\n/g, '\n');
}

function decodeQuotedPrintable(body: string): string {
  const s = body.replace(/\r\n/g, '\n').replace(/=\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s[i] === '=' ? /^[0-9A-F]{2}/i.exec(s.slice(i + 1, i + 3))?.[0] : undefined;
    if (hex) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}
