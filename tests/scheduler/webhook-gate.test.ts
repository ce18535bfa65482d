import { describe, expect, it } from 'vitest';
import { emptyCalendar } from '../../src/dsl/plan';
import { webhookGate } from '../../src/scheduler/webhook-gate';

const calendar = {
  ...emptyCalendar(),
  timezone: 'Europe/Warsaw',
  quietHours: { fromMinute: 21 * 60, toMinute: 8 * 60 },
  blackout: [{ date: '2026-12-25', reason: 'Christmas' }],
};
const all = { consent: true, quietHours: true, blackout: true };
const call = (gate = all) => ({ purpose: 'email.marketing', gate });

describe('the webhook gate', () => {
  it('suppresses without consent for the purpose, unless the step does not ask for it', () => {
    expect(webhookGate(call(), { consent: 'withdrawn', timezone: null }, new Date('2026-11-23T10:00:00Z'))).toEqual({
      action: 'suppress',
      reason: 'no consent for email.marketing (withdrawn)',
    });
    expect(webhookGate(call({ ...all, consent: false }), { consent: 'none', timezone: null }, new Date('2026-11-23T10:00:00Z'))).toEqual({
      action: 'call',
    });
  });

  it('holds a call in quiet hours (the contact’s zone) until they end, and on a blackout day until the next day', () => {
    const night = new Date('2026-11-23T21:30:00Z'); // 22:30 in Warsaw
    expect(webhookGate(call(), { consent: 'granted', timezone: 'Europe/Warsaw', calendar }, night)).toEqual({
      action: 'defer',
      until: new Date('2026-11-24T07:00:00Z'),
      reason: 'quiet hours',
    });
    expect(webhookGate(call(), { consent: 'granted', timezone: 'America/New_York', calendar }, night)).toEqual({ action: 'call' });
    const christmas = new Date('2026-12-25T12:00:00Z');
    expect(webhookGate(call(), { consent: 'granted', timezone: null, calendar }, christmas)).toMatchObject({
      action: 'defer',
      reason: 'blackout: Christmas',
    });
  });

  it('quiet_hours: false and blackout: false let the call through at any time', () => {
    const gate = { consent: true, quietHours: false, blackout: false };
    expect(webhookGate(call(gate), { consent: 'granted', timezone: null, calendar }, new Date('2026-12-25T22:00:00Z'))).toEqual({
      action: 'call',
    });
    const quietOnly = { consent: true, quietHours: true, blackout: false };
    expect(webhookGate(call(quietOnly), { consent: 'granted', timezone: null, calendar }, new Date('2026-12-25T12:00:00Z'))).toEqual({
      action: 'call',
    });
  });
});
