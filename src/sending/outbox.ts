import { randomUUID } from 'node:crypto';
import type { Database } from '../storage/db';
import { insertOutboxMessage } from '../storage/outbox';
import { markSentByClaim } from '../storage/send-outcomes';
import { buildMime, newMessageId } from '../render/mime';
import type { OutgoingMessage, SendOutcome, Transport } from './transport';

export interface OutboxOptions {
  database: Database;
  /** Unique part of each Message-ID; injectable so `simulate` output is reproducible. */
  newId?: () => string;
}

/**
 * The default transport: no provider, the whole message is stored in `outbox_messages` (and
 * listed by `GET /v1/outbox`), so `npm start` works without an AWS account. The message and the
 * send's `sent` status commit in one transaction (`commitsWithSend`), so an outbox send is never
 * `unknown`: a crash before the commit leaves nothing stored and the send goes back to the queue.
 * A claim that is no longer ours stores nothing. A database error is thrown and the dispatcher
 * treats it as `retry`.
 */
export function createOutboxTransport({ database, newId = randomUUID }: OutboxOptions): Transport {
  return {
    name: 'outbox',
    commitsWithSend: true,
    async send(message: OutgoingMessage, claim?: { leaseUntil: Date }): Promise<SendOutcome> {
      const messageId = newMessageId(message, newId);
      // Exactly the bytes an SES transport would hand to SendRawEmail (7-bit ASCII, so text is lossless).
      const raw = (await buildMime(message, { messageId })).toString('utf8');
      const row = {
        sendId: message.sendId,
        messageId,
        to: message.to,
        from: message.from,
        subject: message.subject,
        raw,
        createdAt: message.date,
      };
      if (!claim) {
        await insertOutboxMessage(database.db, row);
        return { status: 'sent', providerMessageId: messageId };
      }
      const stored = await database.db.transaction(async (tx) => {
        if (!(await markSentByClaim(tx, { id: message.sendId, lease: claim.leaseUntil, providerMessageId: messageId }, message.date)))
          return false;
        await insertOutboxMessage(tx, row);
        return true;
      });
      return stored
        ? { status: 'sent', providerMessageId: messageId }
        : { status: 'retry', error: 'the claim on this send was lost before it was stored' };
    },
  };
}
