import { beforeEach, describe, expect, it } from 'vitest';
import { clearDispatchPause, readDispatchPause } from '../../../src/storage/dispatch-pause';
import { claimDueSends, handOver } from '../../../src/storage/sends';
import { useTestDatabase } from '../../helpers/db';
import { attemptsOf, fakeTransport, queueOne, queueSends, resetTables, sendRow, testDispatcher } from './fixtures';

const t = useTestDatabase('sending_faults');
const now = new Date('2026-11-24T10:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

beforeEach(() => resetTables(t.database));

describe('transient failures', () => {
  it('backs off with jitter, records every attempt, and gives up as failed after the maximum', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: now });
    const { transport, calls } = fakeTransport(() => ({ status: 'retry', error: 'Throttling: rate exceeded' }));
    const { phase, metrics } = testDispatcher(t.database, transport, { maxAttempts: 3, random: () => 0 });

    await phase.run(now);
    // attempt 1: base 5 s, jitter 0 → half of it
    expect(await sendRow(t.database, sendId)).toMatchObject({ status: 'queued', attempts: 1, last_error: 'Throttling: rate exceeded' });
    expect(new Date((await sendRow(t.database, sendId)).not_before).toISOString()).toBe(later(2_500).toISOString());
    expect(await phase.run(later(2_499))).toBe(0);

    await phase.run(later(2_500));
    // attempt 2: 10 s ceiling → 5 s after the second try
    expect(new Date((await sendRow(t.database, sendId)).not_before).toISOString()).toBe(later(7_500).toISOString());
    await phase.run(later(7_500));
    expect(await sendRow(t.database, sendId)).toMatchObject({ status: 'failed', attempts: 3, reason: 'gave up after 3 attempts' });
    expect(calls).toHaveLength(3);
    expect(await attemptsOf(t.database, sendId)).toEqual(
      [1, 2, 3].map((attempt) => ({ attempt, outcome: 'retry', error: 'Throttling: rate exceeded' })),
    );
    await phase.run(later(3_600_000));
    expect(calls).toHaveLength(3);
    const text = await metrics.render();
    expect(text).toContain('almanac_sends_total{outcome="retry"} 2');
    expect(text).toContain('almanac_sends_total{outcome="failed"} 1');
  });

  it('a transport that throws counts as a retry, and a later success sends it', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: now });
    const { transport, calls } = fakeTransport((_, call) => {
      if (call === 1) throw new Error('socket hang up');
      return { status: 'sent', providerMessageId: 'ses-1' };
    });
    const { phase } = testDispatcher(t.database, transport, { random: () => 1 });
    await phase.run(now);
    expect(await sendRow(t.database, sendId)).toMatchObject({ status: 'queued', last_error: 'fake threw: socket hang up' });
    await phase.run(later(5_000));
    expect(await sendRow(t.database, sendId)).toMatchObject({ status: 'sent', provider_message_id: 'ses-1', attempts: 2 });
    expect(calls).toHaveLength(2);
    expect((await attemptsOf(t.database, sendId)).map((a) => a.outcome)).toEqual(['retry', 'sent']);
  });
});

describe('permanent failures', () => {
  it('a rejected message is failed with the provider error and never retried', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: now });
    const { transport, calls } = fakeTransport(() => ({ status: 'failed', error: 'MessageRejected: Email address is not verified' }));
    const { phase } = testDispatcher(t.database, transport);
    await phase.run(now);
    await phase.run(later(3_600_000));
    expect(calls).toHaveLength(1);
    expect(await sendRow(t.database, sendId)).toMatchObject({
      status: 'failed',
      reason: 'rejected by fake',
      last_error: 'MessageRejected: Email address is not verified',
    });
  });
});

describe('no answer from the provider', () => {
  it('a send the provider may have accepted becomes unknown and is never tried again', async () => {
    const { sendId } = await queueOne(t.database, { notBefore: now });
    const { transport, calls } = fakeTransport(() => ({
      status: 'unknown',
      error: 'TimeoutError: socket timed out after the request was sent',
    }));
    const { phase } = testDispatcher(t.database, transport);
    await phase.run(now);
    await phase.run(later(3_600_000));
    expect(calls).toHaveLength(1);
    expect(await sendRow(t.database, sendId)).toMatchObject({
      status: 'unknown',
      reason: 'no answer from the provider: delivery unknown',
      last_error: 'TimeoutError: socket timed out after the request was sent',
    });
  });
});

describe('account paused', () => {
  it('raises dispatch.paused, puts the batch back, and claims nothing until the pause is cleared', async () => {
    const queued = await queueSends(t.database, { notBefore: now }, 20);
    let paused = true;
    const { transport, calls } = fakeTransport(() =>
      paused ? { status: 'paused', error: 'AccountSendingPausedException' } : { status: 'sent', providerMessageId: 'ok' },
    );
    const { phase, metrics } = testDispatcher(t.database, transport, { concurrency: 1 });

    expect(await phase.run(now)).toBe(1);
    expect(calls).toHaveLength(1);
    expect(await readDispatchPause(t.database.db)).toMatchObject({ reason: 'AccountSendingPausedException', transport: 'fake' });
    for (const { sendId } of queued) expect((await sendRow(t.database, sendId)).status).toBe('queued');
    expect((await sendRow(t.database, queued[1]!.sendId)).attempts).toBe(0);

    paused = false;
    expect(await phase.run(later(60_000))).toBe(0);
    expect(calls).toHaveLength(1);
    expect(await metrics.render()).toContain('almanac_dispatch_paused 1');

    await clearDispatchPause(t.database.db);
    expect(await phase.run(later(120_000))).toBe(20);
    expect(calls).toHaveLength(21);
    for (const { sendId } of queued) expect((await sendRow(t.database, sendId)).status).toBe('sent');
    expect(await metrics.render()).toContain('almanac_dispatch_paused 0');
  });
});

describe('lease recovery', () => {
  it('a send claimed by a dispatcher that died before handing it over goes back to the queue and is sent once', async () => {
    const [stale] = await queueSends(t.database, { notBefore: now });
    // a dispatcher claimed it and died before the provider call
    expect(await claimDueSends(t.database.db, { now, limit: 10, leaseMs: 60_000 })).toHaveLength(1);
    const [fresh] = await queueSends(t.database, { notBefore: later(30_000) });
    const { transport, calls } = fakeTransport(() => ({ status: 'sent', providerMessageId: 'x' }));
    const { phase, metrics } = testDispatcher(t.database, transport);

    await phase.run(later(59_999)); // still leased: left alone
    expect((await sendRow(t.database, stale!.sendId)).status).toBe('sending');
    await phase.run(later(60_001)); // the lease expired: nothing was handed over, so it is queued again
    await phase.run(later(60_002));
    expect(calls.map((c) => c.sendId).sort()).toEqual([stale!.sendId, fresh!.sendId].sort());
    expect(await sendRow(t.database, stale!.sendId)).toMatchObject({ status: 'sent', attempts: 2 });
    await phase.run(later(3_600_000));
    expect(calls).toHaveLength(2);
    expect(await metrics.render()).toContain('almanac_sends_total{outcome="requeued"} 1');
  });

  it('a send whose provider call may have started when its dispatcher died becomes unknown and is never sent again', async () => {
    const [stale] = await queueSends(t.database, { notBefore: now });
    const [claim] = await claimDueSends(t.database.db, { now, limit: 10, leaseMs: 60_000 });
    // handed to a transport that delivers outside our transaction (SES), then the process died
    expect(await handOver(t.database.db, { id: claim!.id, leaseUntil: claim!.leaseUntil, now, stamp: true })).toBe(true);
    const { transport, calls } = fakeTransport(() => ({ status: 'sent', providerMessageId: 'x' }));
    const { phase, metrics } = testDispatcher(t.database, transport);
    await phase.run(later(60_001));
    expect(await sendRow(t.database, stale!.sendId)).toMatchObject({ status: 'unknown', reason: expect.stringContaining('lease expired') });
    await phase.run(later(3_600_000));
    expect(calls).toEqual([]);
    expect((await sendRow(t.database, stale!.sendId)).status).toBe('unknown');
    expect(await metrics.render()).toContain('almanac_sends_total{outcome="unknown"} 1');
  });
});
