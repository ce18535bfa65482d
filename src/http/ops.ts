import { Hono } from 'hono';
import type { Database } from '../storage/db';
import type { Metrics } from '../metrics';

/** Liveness with a real database round trip, and the Prometheus scrape endpoint. */
export function opsRoutes(deps: { database: Database; metrics: Metrics }) {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    try {
      await deps.database.ping(2000);
      return c.json({ status: 'ok', database: deps.database.kind });
    } catch (err) {
      deps.metrics.inc('almanac_healthz_failures_total', 'Health checks that could not reach the database');
      return c.json({ status: 'unavailable', database: deps.database.kind, error: (err as Error).message }, 503);
    }
  });
  app.get('/metrics', async (c) =>
    c.text(await deps.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  return app;
}
