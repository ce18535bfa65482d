import { Hono } from 'hono';
import { AppError } from '../errors';
import { getOutboxMessage, listOutboxMessages } from '../storage/outbox';
import { apiKey } from './middleware/api-key/index';
import { textPartOf } from '../render/mime';
import type { Database } from '../storage/db';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/**
 * `GET /v1/outbox?limit=N`: what the outbox transport "sent", newest first, with the text part
 * so a developer can read a message without a MIME viewer; `GET /v1/outbox/:id/raw`: one message
 * byte for byte as stored, `message/rfc822` — headers such as List-Unsubscribe checked without a
 * mail server (`curl … | grep -i ^list-unsubscribe`). Both need the API key. Mounted by src/http/app.ts.
 */
export function outboxRoutes(deps: { database: Database; apiKeys: readonly string[] }) {
  const app = new Hono();
  const auth = apiKey({ keys: deps.apiKeys });
  app.get('/v1/outbox/:id/raw', auth, async (c) => {
    const raw = c.req.param('id');
    const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
    const row = Number.isSafeInteger(id) ? await getOutboxMessage(deps.database.db, id) : undefined;
    if (!row) throw new AppError('not_found', `no outbox message ${raw}`, { details: { id: raw } });
    return c.body(row.raw, 200, { 'content-type': 'message/rfc822', 'content-disposition': `inline; filename="message-${row.id}.eml"` });
  });
  app.get('/v1/outbox', auth, async (c) => {
    const limit = parseLimit(c.req.query('limit'));
    const rows = await listOutboxMessages(deps.database.db, limit);
    return c.json({
      messages: rows.map((r) => ({
        id: r.id,
        send_id: r.sendId,
        message_id: r.messageId,
        to: r.to,
        from: r.from,
        subject: r.subject,
        created_at: r.createdAt.toISOString(),
        text: textPartOf(r.raw),
      })),
    });
  });
  return app;
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new AppError('bad_request', `limit must be a whole number from 1 to ${MAX_LIMIT}`, {
      details: { field: 'limit', got: raw },
    });
  }
  return n;
}
