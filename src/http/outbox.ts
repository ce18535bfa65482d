import { Hono } from 'hono';
import { AppError } from '../errors';
import { listOutboxMessages } from '../storage/outbox';
import { textPartOf } from '../render/mime';
import type { Database } from '../storage/db';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/**
 * `GET /v1/outbox?limit=N`: what the outbox transport "sent", newest first, with the text part
 * so a developer can read a message without a MIME viewer. Mounted by src/http/app.ts.
 */
export function outboxRoutes(deps: { database: Database }) {
  const app = new Hono();
  app.get('/v1/outbox', async (c) => {
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
