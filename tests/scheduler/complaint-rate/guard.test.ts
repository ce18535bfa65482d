import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { TRANSACTIONAL_PURPOSE } from '../../../src/dsl/plan';
import { complaintRateNow, defaultComplaintGuard } from '../../../src/scheduler/complaint-guard';
import { dispatchStatus, raiseDispatchPause, readDispatchPauses, resumeDispatch } from '../../../src/storage/dispatch-pause';
import { useTestDatabase } from '../../helpers/db';
import { queueOne, resetTables } from '../dispatch/fixtures';
import { complaint, notification, post, sesApp } from '../../sending/ses-feedback/support';
import { complaints, DAY, guardedDispatcher, outboxCount, sentHistory, statusOf } from './support';

const t = useTestDatabase('complaint_rate');
// The SES notification builders date their complaints 2026-11-24T09:59:40Z.
const now = new Date('2026-11-24T10:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const REASON = 'complaint rate 0.41% (5 of 1210 marketing sends in 7 days) is over 0.30%';

beforeEach(() => resetTables(t.database));

/** 1210 marketing sends sent yesterday, `n` of them complained about (one through the real SES route). */
async function history(n: number, o: { sentAt?: Date; complainedAt?: Date } = {}) {
  const sent = await sentHistory(t.database, 1210, o.sentAt ?? at(-DAY));
  if (n === 0) return sent;
  await complaints(t.database, sent.slice(0, n - 1), o.complainedAt ?? at(-DAY / 2));
  if (o.complainedAt) await complaints(t.database, sent.slice(n - 1, n), o.complainedAt);
  else {
    // The last one as SES reports it: signed SNS → /webhooks/ses → consent, suppression, event.
    const { app } = sesApp(t.database);
    const [last] = sent.slice(n - 1, n);
    const email = `complainer@example.com`;
    await t.database.db.execute(sql`update contacts set email = ${email} where id = ${last!.contactId}`);
    const res = await app.request('/webhooks/ses', post(notification(complaint(email, { sendId: last!.sendId, eventPublishing: true }))));
    expect(res.status).toBe(200);
  }
  return sent;
}

/** One marketing and one transactional send due now. */
async function due() {
  const marketing = await queueOne(t.database, { notBefore: now });
  const receipt = await queueOne(t.database, { notBefore: now, purpose: TRANSACTIONAL_PURPOSE, campaign: 'receipt' });
  return { marketing: marketing.sendId, receipt: receipt.sendId };
}

describe('the complaint-rate guard in the dispatch tick', () => {
  it('0.41% over 1210 marketing sends → the next tick pauses marketing, still sends the receipt, and says why once', async () => {
    await history(5);
    const { marketing, receipt } = await due();
    const { phase, metrics, lines } = guardedDispatcher(t.database);

    expect(await phase.run(now)).toBe(1);
    expect(await statusOf(t.database, receipt)).toEqual({ status: 'sent', attempts: 1 });
    // Not claimed at all: still queued, no attempt counted.
    expect(await statusOf(t.database, marketing)).toEqual({ status: 'queued', attempts: 0 });
    expect(await outboxCount(t.database)).toBe(1);

    const { marketing: pause, account } = await readDispatchPauses(t.database.db);
    expect(account).toBeUndefined();
    expect(pause).toMatchObject({
      cause: 'complaint_rate',
      reason: REASON,
      identity: 'shop.example',
      complaints: 5,
      sent: 1210,
      maxRate: 0.003,
      since: now.toISOString(),
      windowStart: at(-7 * DAY).toISOString(),
    });
    const text = await metrics.render();
    expect(text).toContain('almanac_dispatch_paused{reason="complaint_rate"} 1');
    expect(text).toContain('almanac_dispatch_paused 0');
    expect(text).toMatch(/almanac_complaint_rate\{identity="shop.example"\} 0\.00413/);
    expect(lines.filter((l) => l.includes('marketing dispatch paused'))).toEqual([
      `error marketing dispatch paused for shop.example: ${REASON}; only transactional mail is sent until resumed (almanac resume)`,
    ]);

    // Later ticks: marketing stays held, transactional keeps flowing, nothing logged again.
    const second = await queueOne(t.database, { notBefore: at(60_000), purpose: TRANSACTIONAL_PURPOSE, campaign: 'receipt' });
    expect(await phase.run(at(60_000))).toBe(1);
    expect(await phase.run(at(120_000))).toBe(0);
    expect(await statusOf(t.database, second.sendId)).toMatchObject({ status: 'sent' });
    expect(await statusOf(t.database, marketing)).toEqual({ status: 'queued', attempts: 0 });
    expect(lines.filter((l) => l.includes('marketing dispatch paused'))).toHaveLength(1);
    expect(await metrics.render()).toContain('almanac_dispatch_paused{reason="complaint_rate"} 1');
  });

  it('another worker sees the pause at its next tick and logs it once, as a warning', async () => {
    await history(5);
    const { marketing } = await due();
    await guardedDispatcher(t.database).phase.run(now);
    const other = guardedDispatcher(t.database);
    await other.phase.run(at(1_000));
    await other.phase.run(at(2_000));
    expect(await statusOf(t.database, marketing)).toEqual({ status: 'queued', attempts: 0 });
    expect(other.lines.filter((l) => l.includes('marketing dispatch paused'))).toEqual([
      `warn marketing dispatch paused for shop.example: ${REASON}; only transactional mail is sent until resumed {"since":"${now.toISOString()}"}`,
    ]);
  });

  it('0.25% (3 of 1210) → no pause, marketing goes', async () => {
    await history(3);
    const { marketing, receipt } = await due();
    const { phase, metrics } = guardedDispatcher(t.database);
    expect(await phase.run(now)).toBe(2);
    expect(await statusOf(t.database, marketing)).toMatchObject({ status: 'sent' });
    expect(await statusOf(t.database, receipt)).toMatchObject({ status: 'sent' });
    expect((await readDispatchPauses(t.database.db)).marketing).toBeUndefined();
    const text = await metrics.render();
    expect(text).toContain('almanac_dispatch_paused{reason="complaint_rate"} 0');
    expect(text).toMatch(/almanac_complaint_rate\{identity="shop.example"\} 0\.00247/);
  });

  it('below the minimum volume (5 of 999, 0.5%) → not judged, no pause', async () => {
    const sent = await sentHistory(t.database, 999, at(-DAY));
    await complaints(t.database, sent.slice(0, 5), at(-DAY / 2));
    expect((await complaintRateNow(t.database.db, defaultComplaintGuard, now)).decision).toEqual({
      pause: false,
      rate: 5 / 999,
      reason: 'complaint rate 0.50% (5 of 999 marketing sends in 7 days): below the minimum of 1000 sends, not judged',
    });
    const { marketing } = await due();
    const { phase } = guardedDispatcher(t.database);
    await phase.run(now);
    expect(await statusOf(t.database, marketing)).toMatchObject({ status: 'sent' });
    expect((await readDispatchPauses(t.database.db)).marketing).toBeUndefined();
    // That send was the 1000th: from the next tick on the rate (5 of 1000, 0.50%) is judged.
    const next = await queueOne(t.database, { notBefore: at(60_000) });
    await phase.run(at(60_000));
    expect(await statusOf(t.database, next.sendId)).toEqual({ status: 'queued', attempts: 0 });
    expect((await readDispatchPauses(t.database.db)).marketing?.reason).toBe(
      'complaint rate 0.50% (5 of 1000 marketing sends in 7 days) is over 0.30%',
    );
  });

  it('counts only the window: sends and complaints older than COMPLAINT_RATE_WINDOW_DAYS, and transactional sends, do not count', async () => {
    await history(5, { sentAt: at(-8 * DAY), complainedAt: at(-7 * DAY - 1) });
    // Plenty of receipts in the window: not marketing volume.
    await sentHistory(t.database, 1200, at(-DAY), TRANSACTIONAL_PURPOSE);
    expect(await complaintRateNow(t.database.db, defaultComplaintGuard, now)).toMatchObject({ complaints: 0, sent: 0 });
    // With a 9-day window the same history is 0.41% again.
    const nine = await complaintRateNow(t.database.db, { ...defaultComplaintGuard, windowDays: 9 }, now);
    expect(nine).toMatchObject({ complaints: 5, sent: 1210, decision: { pause: true } });
    const { marketing } = await due();
    await guardedDispatcher(t.database).phase.run(now);
    expect(await statusOf(t.database, marketing)).toMatchObject({ status: 'sent' });
  });

  it('the guard off (complaintGuard: false) never pauses', async () => {
    await history(5);
    const { marketing } = await due();
    await guardedDispatcher(t.database, { complaintGuard: false }).phase.run(now);
    expect(await statusOf(t.database, marketing)).toMatchObject({ status: 'sent' });
  });
});

describe('resumeDispatch and dispatchStatus', () => {
  it('resume clears the complaint pause, marketing flows again and the old complaints do not re-trip it', async () => {
    await history(5);
    const { marketing } = await due();
    const { phase, metrics, lines } = guardedDispatcher(t.database);
    await phase.run(now);
    expect(await statusOf(t.database, marketing)).toMatchObject({ status: 'queued' });

    const resumedAt = at(3_600_000);
    const cleared = await resumeDispatch(t.database.db, resumedAt);
    expect(cleared).toEqual([
      expect.objectContaining({ kind: 'complaint_rate', holds: 'marketing', reason: REASON, since: now.toISOString() }),
    ]);
    expect(await dispatchStatus(t.database.db)).toEqual({ pauses: [], complaintWindowResetAt: resumedAt.toISOString() });

    // The same 5 complaints are still within 7 days, but before the resume: not counted.
    expect(await phase.run(at(3_600_001))).toBe(1);
    expect(await statusOf(t.database, marketing)).toMatchObject({ status: 'sent' });
    expect((await readDispatchPauses(t.database.db)).marketing).toBeUndefined();
    expect(await metrics.render()).toContain('almanac_dispatch_paused{reason="complaint_rate"} 0');
    expect(lines).toContain('info marketing dispatch resumed for shop.example');
    const after = await complaintRateNow(t.database.db, defaultComplaintGuard, at(3_600_001));
    expect(after).toMatchObject({ windowStart: resumedAt, complaints: 0, sent: 1 });
    expect(after.decision.reason).toBe(
      `complaint rate 0.00% (0 of 1 marketing sends since ${resumedAt.toISOString()}): below the minimum of 1000 sends, not judged`,
    );

    // Fresh complaints over fresh volume after the resume trip it again.
    const fresh = await sentHistory(t.database, 1209, at(2 * 3_600_000));
    await complaints(t.database, fresh.slice(0, 5), at(3 * 3_600_000));
    const next = await queueOne(t.database, { notBefore: at(4 * 3_600_000) });
    await phase.run(at(4 * 3_600_000));
    expect(await statusOf(t.database, next.sendId)).toEqual({ status: 'queued', attempts: 0 });
    expect((await readDispatchPauses(t.database.db)).marketing?.reason).toBe(
      `complaint rate 0.41% (5 of 1210 marketing sends since ${resumedAt.toISOString()}) is over 0.30%`,
    );
  });

  it('shows the SES account pause and the complaint pause together; resume clears both', async () => {
    await history(5);
    await due();
    await guardedDispatcher(t.database).phase.run(now);
    await raiseDispatchPause(
      t.database.db,
      { reason: 'AccountSendingPausedException', transport: 'ses', since: at(60_000).toISOString() },
      at(60_000),
    );

    const status = await dispatchStatus(t.database.db);
    expect(status.pauses).toEqual([
      {
        kind: 'account',
        holds: 'all',
        reason: 'AccountSendingPausedException',
        since: at(60_000).toISOString(),
        detail: { reason: 'AccountSendingPausedException', transport: 'ses', since: at(60_000).toISOString() },
      },
      expect.objectContaining({ kind: 'complaint_rate', holds: 'marketing', reason: REASON, since: now.toISOString() }),
    ]);
    expect(status.complaintWindowResetAt).toBeUndefined();

    // With the account paused nothing goes, transactional included.
    const receipt = await queueOne(t.database, { notBefore: at(120_000), purpose: TRANSACTIONAL_PURPOSE, campaign: 'receipt' });
    const { phase, metrics } = guardedDispatcher(t.database);
    expect(await phase.run(at(120_000))).toBe(0);
    expect(await statusOf(t.database, receipt.sendId)).toEqual({ status: 'queued', attempts: 0 });
    const text = await metrics.render();
    expect(text).toContain('almanac_dispatch_paused 1');
    expect(text).toContain('almanac_dispatch_paused{reason="complaint_rate"} 1');

    const cleared = await resumeDispatch(t.database.db, at(180_000));
    expect(cleared.map((p) => p.kind)).toEqual(['account', 'complaint_rate']);
    expect((await dispatchStatus(t.database.db)).pauses).toEqual([]);
    expect(await resumeDispatch(t.database.db, at(240_000))).toEqual([]);
    // A resume with no complaint pause raised leaves the window where the last one put it.
    expect((await dispatchStatus(t.database.db)).complaintWindowResetAt).toBe(at(180_000).toISOString());
  });
});
