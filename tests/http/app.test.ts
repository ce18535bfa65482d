import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { backend, useTestDatabase } from '../helpers/db';

const t = useTestDatabase('http_app');

function app(bodyLimitBytes = 1024) {
  const logged: string[] = [];
  const a = createApp({ database: t.database, metrics: new Metrics(), bodyLimitBytes, log: (m) => logged.push(m) });
  a.get('/boom/app', () => {
    throw new AppError('conflict', 'campaign "cart" is already applied', { details: { campaign: 'cart' } });
  });
  a.get('/boom/bug', () => {
    throw new Error('secret connection string leaked');
  });
  a.post('/echo', async (c) => c.json({ size: (await c.req.text()).length }));
  return { app: a, logged };
}

describe(`http app on ${backend}`, () => {
  it('GET /healthz answers ok after a real database round trip', async () => {
    const res = await app().app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: backend });
  });

  it('an unknown route is a JSON 404 in the error shape', async () => {
    const res = await app().app.request('/nowhere', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'no route for POST /nowhere', details: { method: 'POST', path: '/nowhere' } },
    });
  });

  it('a browser asking for a page gets the error as HTML; the API keeps JSON', async () => {
    const page = await app().app.request('/nowhere', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<p>no route for GET /nowhere</p>');
    const api = await app().app.request('/v1/nowhere', { headers: { accept: 'text/html' } });
    expect(api.headers.get('content-type')).toContain('application/json');
  });

  it('AppErrors keep their status, code and details', async () => {
    const res = await app().app.request('/boom/app');
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: { code: 'conflict', message: 'campaign "cart" is already applied', details: { campaign: 'cart' } },
    });
  });

  it('a bug is a bare 500 that leaks nothing, and is logged', async () => {
    const { app: a, logged } = app();
    const res = await a.request('/boom/bug');
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toEqual({ error: { code: 'internal', message: 'internal error', details: {} } });
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(logged).toEqual(['unhandled error on GET /boom/bug']);
  });

  it('a body over the limit is refused with 413 JSON; one under it passes', async () => {
    const { app: a } = app(1024);
    const big = await a.request('/echo', { method: 'POST', body: 'x'.repeat(2048) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: { code: 'payload_too_large', message: 'request body is larger than 1024 bytes', details: { limitBytes: 1024 } },
    });
    const small = await a.request('/echo', { method: 'POST', body: 'x'.repeat(100) });
    expect(small.status).toBe(200);
    expect(await small.json()).toEqual({ size: 100 });
  });

  it('over Node HTTP: a Content-Length over the limit is a 413 before the body is read; a chunked body is counted as it streams', async () => {
    const { app: a } = app(1024);
    const server = serve({ fetch: a.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
    try {
      const big = await fetch(url, { method: 'POST', body: 'x'.repeat(2048) });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
      const small = await fetch(url, { method: 'POST', body: 'x'.repeat(1000) });
      expect(await small.json()).toEqual({ size: 1000 });
      const chunks = (n: number) =>
        new ReadableStream({
          start(controller) {
            for (let i = 0; i < n; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(300)));
            controller.close();
          },
        });
      const streamed = await fetch(url, { method: 'POST', body: chunks(5), duplex: 'half' } as RequestInit);
      expect(streamed.status).toBe(413);
      const streamedSmall = await fetch(url, { method: 'POST', body: chunks(3), duplex: 'half' } as RequestInit);
      expect(await streamedSmall.json()).toEqual({ size: 900 });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('GET /metrics exposes Prometheus text with request counters', async () => {
    const { app: a } = app();
    await a.request('/healthz');
    const res = await a.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('# TYPE almanac_http_requests_total counter');
    expect(text).toContain('almanac_http_requests_total{status="200"} 1');
  });
});
