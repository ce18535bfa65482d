import { type Handler, Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { Pace } from '../../src/forecast/pace';
import { createApp } from '../../src/http/app';
import { deadline, DeadlineExceeded, type DeadlineTimer, sharedTimer } from '../../src/http/middleware/deadline/index';
import { onError } from '../../src/http/on-error';
import { Metrics } from '../../src/metrics';
import type { Database } from '../../src/storage/db';

/** A timer the test fires by hand: no sleeping on real time. */
function manualTimer() {
  const fired: Array<() => void> = [];
  let cancelled = 0;
  const timer: DeadlineTimer = (_ms, expire) => {
    fired.push(expire);
    return () => cancelled++;
  };
  return { timer, fire: () => fired.forEach((f) => f()), cancelled: () => cancelled, started: () => fired.length };
}

function appWith(mw: ReturnType<typeof deadline>, handler: Handler) {
  const app = new Hono();
  app.use('*', mw);
  app.get('/slow', handler);
  app.onError(onError(() => {}));
  return app;
}

describe('the request deadline', () => {
  it('answers 503 deadline_exceeded when the handler has not answered in time, and aborts its signal', async () => {
    const t = manualTimer();
    let signal: AbortSignal | undefined;
    let release!: () => void;
    const app = appWith(deadline({ ms: 250, timer: t.timer }), async (c) => {
      signal = c.get('deadline')();
      await new Promise<void>((r) => (release = r));
      return c.text('too late');
    });
    const pending = app.request('/slow');
    await new Promise((r) => setImmediate(r));
    expect(t.started()).toBe(1);
    t.fire();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: {
        code: 'deadline_exceeded',
        message: expect.stringContaining('GET /slow did not answer within 250 ms'),
        details: { deadlineMs: 250 },
      },
    });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(DeadlineExceeded);
    release(); // the handler finishing afterwards changes nothing
  });

  it('lets a handler that answers in time through, and cancels its timer', async () => {
    const t = manualTimer();
    const app = appWith(deadline({ ms: 250, timer: t.timer }), (c) => c.text('ok'));
    const res = await app.request('/slow');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(t.cancelled()).toBe(1);
  });

  it('keeps errors the handler throws in time as they are', async () => {
    const t = manualTimer();
    const app = appWith(deadline({ ms: 250, timer: t.timer }), () => {
      throw new Error('boom');
    });
    const res = await app.request('/slow');
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal');
  });

  it('with a real tiny deadline, a paced CPU loop yields so the 503 goes out, and then stops at its next yield', async () => {
    let steps = 0;
    let stopped: unknown;
    const app = appWith(deadline({ ms: 5 }), async (c) => {
      const pace = new Pace({ every: 50, signal: c.get('deadline')() });
      try {
        for (;;) {
          steps++;
          await pace.step(); // a long synchronous core would hang the event loop without this
        }
      } catch (err) {
        stopped = err;
        throw err;
      }
    });
    const res = await app.request('/slow');
    expect(res.status).toBe(503);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBeInstanceOf(DeadlineExceeded);
    const after = steps;
    await new Promise((r) => setTimeout(r, 5));
    expect(steps).toBe(after);
  });

  it('is mounted for every route of the app, from AppDeps.requestDeadlineMs', async () => {
    const app = createApp({
      database: {} as Database,
      metrics: new Metrics(),
      bodyLimitBytes: 1024,
      log: () => {},
      requestDeadlineMs: 1,
    });
    // An unknown route answers at once, through the middleware: proof it is in the chain without a slow handler.
    const res = await app.request('/no-such-route');
    expect(res.status).toBe(404);
    // A route that waits on a database that never answers is cut at the deadline.
    const hung = createApp({
      database: { kind: 'pglite', ping: () => new Promise(() => {}), close: async () => {} } as unknown as Database,
      metrics: new Metrics(),
      bodyLimitBytes: 1024,
      log: () => {},
      requestDeadlineMs: 20,
    });
    const health = await hung.request('/healthz');
    expect(health.status).toBe(503);
    expect(((await health.json()) as { error: { code: string } }).error.code).toBe('deadline_exceeded');
  });
});

describe('sharedTimer: the wall-clock deadline timer', () => {
  it('deadlines in one tenth of a second share one timer; each fires, at most that late, unless cancelled', () => {
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00.050Z') });
    try {
      const timer = sharedTimer(100);
      const fired: string[] = [];
      timer(1000, () => fired.push('a'));
      vi.advanceTimersByTime(30);
      const cancelB = timer(1000, () => fired.push('b'));
      timer(1000, () => fired.push('c'));
      expect(vi.getTimerCount()).toBe(1);
      cancelB();
      vi.advanceTimersByTime(1019); // 10:00:01.099: a's deadline (01.050) rounded up to 01.100
      expect(fired).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(fired).toEqual(['a', 'c']);
      timer(1000, () => fired.push('d'));
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(1000);
      expect(fired).toEqual(['a', 'c', 'd']);
    } finally {
      vi.useRealTimers();
    }
  });
});
