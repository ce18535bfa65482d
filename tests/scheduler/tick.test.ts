import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics';
import { startLoop } from '../../src/scheduler/loop';
import { createTick } from '../../src/scheduler/tick';

const now = new Date('2026-11-24T10:00:00Z');

describe('tick', () => {
  it('runs every phase in order with the same now and reports what each did', async () => {
    const seen: string[] = [];
    const tick = createTick(
      [
        { name: 'events', run: async (n) => (seen.push(`events@${n.toISOString()}`), 3) },
        { name: 'runs', run: async (n) => (seen.push(`runs@${n.toISOString()}`), 2) },
      ],
      new Metrics(),
    );
    expect(await tick(now)).toEqual({ events: 3, runs: 2 });
    expect(seen).toEqual(['events@2026-11-24T10:00:00.000Z', 'runs@2026-11-24T10:00:00.000Z']);
  });

  it('a failing phase does not starve the later ones, and the tick still reports failure', async () => {
    const metrics = new Metrics();
    let laterRan = false;
    const tick = createTick(
      [
        { name: 'broken', run: async () => Promise.reject(new Error('campaign missing')) },
        { name: 'later', run: async () => ((laterRan = true), 1) },
      ],
      metrics,
    );
    await expect(tick(now)).rejects.toThrow('campaign missing');
    expect(laterRan).toBe(true);
    const text = await metrics.render();
    expect(text).toContain('almanac_tick_phase_failures_total{phase="broken"} 1');
    expect(text).toContain('almanac_tick_failures_total 1');
    expect(text).toContain('almanac_ticks_total 1');
  });
});

describe('loop', () => {
  it('stop() waits for the tick in flight, and no tick starts after it', async () => {
    let release!: () => void;
    const calls: Date[] = [];
    const tick = createTick(
      [{ name: 'slow', run: (n) => (calls.push(n), new Promise<number>((r) => (release = () => r(1)))) }],
      new Metrics(),
    );
    const loop = startLoop({ tick, clock: () => now, intervalSeconds: 59, onError: () => {} });
    loop.kick();
    loop.kick(); // overlapping kick is a no-op while a tick runs
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
    loop.kick();
    expect(calls).toEqual([now]);
  });
});
