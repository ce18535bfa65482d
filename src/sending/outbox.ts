import { randomUUID } from 'node:crypto';
import type { Database } from '../storage/db';
import { insertOutboxMessage } from './outbox-store';
import { buildRawMessage } from './raw-message';
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
      const messageId = `<${message.sendId}.${newId()}@${domainOf(message.from)}>`;
      await insertOutboxMessage(database.db, {
        sendId: message.sendId,
        messageId,
        to: message.to,
        from: message.from,
        subject: message.subject,
        raw: buildRawMessage(message, messageId),
        createdAt: message.date,
      });
      return { status: 'sent', providerMessageId: messageId };
    },
  };
}

/** `Shop <news@shop.example>` → `shop.example`; the Message-ID's right-hand side. */
function domainOf(address: string): string {
  const match = /@([^\s>]+)>?\s*$/.exec(address);
  return match?.[1] ?? 'almanac.invalid';
}
