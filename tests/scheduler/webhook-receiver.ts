import { Hono } from 'hono';
import { standardWebhooks, type StandardWebhookEnv } from '../../src/http/middleware/standard-webhooks';
import { serveOnFreePort } from '../helpers/browser';

export interface Delivery {
  webhookId: string;
  timestamp: string;
  body: Record<string, unknown>;
  /** The status this delivery was answered with. */
  status: number;
}

/**
 * A receiver of `webhook` steps on a real HTTP server at 127.0.0.1:0, as a CRM or SMS gateway
 * would run one: every request goes through Almanac's own Standard Webhooks verifier (the
 * middleware of `POST /webhooks/ingest/:source`, on the test's virtual clock), so a bad signature
 * is a 401 the test sees. It answers each verified delivery from `script` (by the body's `to`,
 * in order; default 200), keeps every delivery, and acts once per `webhook-id` (`acted`), which
 * is what Standard Webhooks asks of receivers. `hold(to)` keeps the next answer for `to` back
 * until `release()` — a call whose caller dies before it hears back.
 */
export async function webhookReceiver(secret: string, now: () => Date) {
  const deliveries: Delivery[] = [];
  const acted = new Map<string, Record<string, unknown>>();
  const rejected: number[] = [];
  const script = new Map<string, number[]>();
  let held: { to: string; arrived: () => void; release?: () => void } | undefined;
  const app = new Hono<StandardWebhookEnv>();
  app.onError((err, c) => {
    rejected.push(401);
    return c.json({ error: String(err.message) }, 401);
  });
  app.post('/hook', standardWebhooks({ secrets: { crm: secret }, sourceOf: () => 'crm', now }), async (c) => {
    const body = JSON.parse(new TextDecoder().decode(c.get('rawBody'))) as Record<string, unknown>;
    const to = String(body.to);
    const status = script.get(to)?.shift() ?? 200;
    const delivery = { webhookId: c.get('webhookId'), timestamp: c.req.header('webhook-timestamp')!, body, status };
    deliveries.push(delivery);
    if (status >= 200 && status < 300 && !acted.has(delivery.webhookId)) acted.set(delivery.webhookId, body);
    if (held?.to === to) {
      const h = held;
      held = undefined;
      h.arrived();
      await new Promise<void>((resolve) => (h.release = resolve));
    }
    return c.body(null, status as 200);
  });
  const server = await serveOnFreePort(app.fetch);
  return {
    url: `${server.base}/hook`,
    deliveries,
    acted,
    rejected,
    /** Answer the deliveries for `to` with these statuses, in order (then 200). */
    answer(to: string, statuses: number[]) {
      script.set(to, statuses);
    },
    /** Hold the next delivery for `to` until the returned `release()`; `arrived` resolves when it came in. */
    hold(to: string) {
      let arrived!: () => void;
      const came = new Promise<void>((resolve) => (arrived = resolve));
      const h = { to, arrived };
      held = h;
      return { arrived: came, release: () => (h as { release?: () => void }).release?.() };
    },
    close: server.close,
  };
}
