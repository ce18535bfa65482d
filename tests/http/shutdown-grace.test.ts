import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { startNode } from '../../src/runtime/node';
import type { Services } from '../../src/runtime/services';

/**
 * SIGTERM → `stop()`: the server closes within SHUTDOWN_GRACE_SECONDS whatever it is doing. A
 * request that never answers holds `server.close()`; past the grace the connections are cut, it
 * is logged, and the process exits (the injected `exit`, here).
 */
function services(app: Hono, warnings: string[]): Services {
  const loaded = loadConfig({ SHUTDOWN_GRACE_SECONDS: '1' });
  const config = { ...loaded, http: { ...loaded.http, port: 0, host: '127.0.0.1' } };
  const noop = () => {};
  return {
    config,
    app,
    log: { debug: noop, info: noop, warn: (m: string) => warnings.push(m), error: noop },
    close: async () => {},
  } as unknown as Services;
}

describe('stop() with a grace period', () => {
  it('exits anyway when a request in flight outlives the grace', async () => {
    const app = new Hono();
    let arrived!: () => void;
    const inFlight = new Promise<void>((r) => (arrived = r));
    app.get('/hang', async () => {
      arrived();
      return new Promise<Response>(() => {});
    });
    const warnings: string[] = [];
    const exits: number[] = [];
    const handle = await startNode(services(app, warnings), { http: true, scheduler: false, exit: (code) => exits.push(code) });
    const request = fetch(`${handle.url}/hang`).catch((err: unknown) => err);
    await inFlight;
    await handle.stop();
    expect(exits).toEqual([1]);
    expect(warnings).toEqual([expect.stringContaining('shutdown grace exceeded')]);
    expect(await request).toBeInstanceOf(Error); // its connection was cut
  });

  it('stops without exiting when nothing is in flight', async () => {
    const app = new Hono();
    app.get('/ok', (c) => c.text('ok'));
    const warnings: string[] = [];
    const exits: number[] = [];
    const handle = await startNode(services(app, warnings), { http: true, scheduler: false, exit: (code) => exits.push(code) });
    expect(await (await fetch(`${handle.url}/ok`)).text()).toBe('ok');
    await handle.stop();
    expect(exits).toEqual([]);
    expect(warnings).toEqual([]);
  });
});
