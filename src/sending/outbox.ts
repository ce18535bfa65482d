import { randomUUID } from 'node:crypto';
import type { Database } from '../storage/db';
import { insertOutboxMessage } from '../storage/outbox';
import { buildMime, newMessageId } from '../render/mime';
import type { OutgoingMessage, SendOutcome, Transport } from './transport';

export interface OutboxOptions {
  database: Database;
  /** Unique part of each Message-ID; injectable so `simulate` output is reproducible. */
  newId?: () => string;
}

/**
 * The default transport: no provider, the whole message is stored in `outbox_messages` (and
 * listed by `GET /v1/outbox`), so `npm start` works without an AWS account. A database error
 * is thrown and the dispatcher treats it as `retry`.
 */
export function createOutboxTransport({ database, newId = randomUUID }: OutboxOptions): Transport {
  return {
    name: 'outbox',
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      const messageId = newMessageId(message, newId);
      // Exactly the bytes an SES transport would hand to SendRawEmail (7-bit ASCII, so text is lossless).
      const raw = (await buildMime(message, { messageId })).toString('utf8');
      await insertOutboxMessage(database.db, {
        sendId: message.sendId,
        messageId,
        to: message.to,
        from: message.from,
        subject: message.subject,
        raw,
        createdAt: message.date,
      });
      return { status: 'sent', providerMessageId: messageId };
    },
  };
}
