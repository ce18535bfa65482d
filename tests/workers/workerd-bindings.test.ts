import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWrangler } from './targets';

/**
 * Bad bindings on workerd itself (src/runtime/worker.ts): no DATABASE_URL and an invalid
 * LOG_LEVEL. Every request answers a JSON 500 naming both, the cron trigger does nothing and does
 * not break the isolate, and the problem is logged once — not once per request.
 */
describe('the Worker on workerd with bad bindings', () => {
  let w: Awaited<ReturnType<typeof startWrangler>> | undefined;
  beforeAll(async () => {
    w = await startWrangler(() => ({ API_KEYS: 'k', LOG_LEVEL: 'loud' }));
  }, 120_000);
  afterAll(async () => w?.stop(), 60_000);

  it('answers 500 config_invalid naming each binding on every route, survives the cron, and logs it once', async () => {
    for (const [method, path] of [
      ['GET', '/healthz'],
      ['POST', '/v1/events'],
      ['GET', '/c/1.abc'],
      ['GET', '/healthz'],
    ] as const) {
      const res = await fetch(`${w!.baseUrl}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(res.status, path).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: { code: string; details: Array<{ variable: string }> } };
      expect(body.error.code).toBe('config_invalid');
      expect(body.error.details.map((d) => d.variable).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL']);
    }
    const cron = await fetch(`${w!.baseUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`);
    expect(cron.status).toBe(200);
    expect((await fetch(`${w!.baseUrl}/healthz`)).status).toBe(500);
    expect(w!.output().match(/almanac: not serving/g)).toHaveLength(1);
    expect(w!.output()).toContain('DATABASE_URL');
  });
});
