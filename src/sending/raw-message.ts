import { createHash } from 'node:crypto';
import type { OutgoingMessage } from './transport';

/**
 * A deliberately simple RFC 5322 message: headers, then multipart/alternative with the text and
 * the HTML part, both UTF-8 8bit. The MIME issue replaces this file (quoted-printable, RFC 2047
 * everywhere, attachments); `textPartOf` lives here so reader and writer change together.
 */
export function buildRawMessage(message: OutgoingMessage, messageId: string): string {
  const boundary = `=_almanac_${createHash('sha256').update(messageId).digest('hex').slice(0, 24)}`;
  const headers: Array<[string, string]> = [
    ['From', message.from],
    ['To', message.to],
    ...(message.replyTo ? ([['Reply-To', message.replyTo]] as Array<[string, string]>) : []),
    ['Subject', encodeWord(message.subject)],
    ['Date', rfc5322Date(message.date)],
    ['Message-ID', messageId],
    ['MIME-Version', '1.0'],
    ...Object.entries(message.headers),
    ['Content-Type', `multipart/alternative; boundary="${boundary}"`],
  ];
  return [
    ...headers.map(([name, value]) => `${name}: ${oneLine(value)}`),
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    message.text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    message.html,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** The text/plain part of a message made by `buildRawMessage` (for `GET /v1/outbox`). */
export function textPartOf(raw: string): string {
  const match = /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n([\s\S]*?)\r\n--=_almanac_/.exec(raw);
  return match?.[1] ?? '';
}

/** Header values never span lines: a CR/LF in data would let it inject headers. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ');

/** RFC 2047 B-encoding for a non-ASCII subject; ASCII stays readable. */
function encodeWord(value: string): string {
  const flat = oneLine(value);
  return /^[\x20-\x7e]*$/.test(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `Tue, 24 Nov 2026 10:00:00 +0000`, always in UTC. */
function rfc5322Date(d: Date): string {
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
