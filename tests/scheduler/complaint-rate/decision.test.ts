import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { complaintDecision, defaultComplaintGuard, sendingIdentity } from '../../../src/scheduler/complaint-guard';

const now = new Date('2026-11-24T10:00:00Z');
const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
const decide = (complaints: number, sent: number, windowStart = weekAgo) =>
  complaintDecision({ complaints, sent, windowStart }, defaultComplaintGuard, now);

describe('complaintDecision (pure)', () => {
  it('pauses strictly over the line, with the numbers in the reason', () => {
    expect(decide(5, 1210)).toEqual({
      pause: true,
      rate: 5 / 1210,
      reason: 'complaint rate 0.41% (5 of 1210 marketing sends in 7 days) is over 0.30%',
    });
    expect(decide(3, 1000)).toMatchObject({
      pause: false,
      reason: 'complaint rate 0.30% (3 of 1000 marketing sends in 7 days) is within 0.30%',
    });
    expect(decide(4, 1000)).toMatchObject({ pause: true });
    expect(decide(3, 1210)).toMatchObject({ pause: false });
  });

  it('does not judge below the minimum volume, however high the rate', () => {
    expect(decide(10, 999)).toMatchObject({ pause: false, reason: expect.stringContaining('below the minimum of 1000 sends') });
    expect(decide(0, 0)).toMatchObject({ pause: false, rate: 0 });
    expect(
      complaintDecision({ complaints: 1, sent: 10, windowStart: weekAgo }, { ...defaultComplaintGuard, minSent: 10 }, now),
    ).toMatchObject({
      pause: true,
      reason: 'complaint rate 10.00% (1 of 10 marketing sends in 7 days) is over 0.30%',
    });
  });

  it('names a window a resume cut short by its start', () => {
    const resumed = new Date('2026-11-22T08:00:00Z');
    expect(decide(5, 1210, resumed).reason).toBe(
      'complaint rate 0.41% (5 of 1210 marketing sends since 2026-11-22T08:00:00.000Z) is over 0.30%',
    );
    expect(
      complaintDecision({ complaints: 0, sent: 0, windowStart: weekAgo }, { ...defaultComplaintGuard, windowDays: 1 }, now).reason,
    ).toContain('in 1 day)');
  });

  it('takes the sending identity from the From address', () => {
    expect(sendingIdentity('Shop <news@Shop.Example>')).toBe('shop.example');
    expect(sendingIdentity('news@shop.example')).toBe('shop.example');
    expect(sendingIdentity('Almanac <almanac@localhost>')).toBe('localhost');
  });
});

describe('COMPLAINT_RATE_* configuration', () => {
  it('defaults to 0.3 % over 7 days from 1000 sends', () => {
    expect(loadConfig({}).complaintRate).toEqual({ maxRate: 0.003, minSent: 1000, windowDays: 7 });
    expect(
      loadConfig({ COMPLAINT_RATE_MAX: '0.001', COMPLAINT_RATE_MIN_SENT: '200', COMPLAINT_RATE_WINDOW_DAYS: '1' }).complaintRate,
    ).toEqual({ maxRate: 0.001, minSent: 200, windowDays: 1 });
  });

  it('names a wrong value', () => {
    expect(() => loadConfig({ COMPLAINT_RATE_MAX: '0.3%' })).toThrow(/COMPLAINT_RATE_MAX: expected a fraction from 0 to 1/);
    expect(() => loadConfig({ COMPLAINT_RATE_MAX: '3' })).toThrow(/COMPLAINT_RATE_MAX/);
    expect(() => loadConfig({ COMPLAINT_RATE_MAX: '0' })).toThrow(/COMPLAINT_RATE_MAX/);
    expect(() => loadConfig({ COMPLAINT_RATE_WINDOW_DAYS: '0' })).toThrow(/COMPLAINT_RATE_WINDOW_DAYS/);
    expect(() => loadConfig({ COMPLAINT_RATE_MIN_SENT: '1.5' })).toThrow(/COMPLAINT_RATE_MIN_SENT/);
  });
});
