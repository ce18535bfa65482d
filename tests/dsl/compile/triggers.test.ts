import { describe, expect, it } from 'vitest';
import { planOf } from '../fixtures/project';

const triggerOf = (trigger: string, files: Record<string, string | null> = {}) =>
  planOf(`campaign: cart\npurpose: email.marketing\nsteps: [ { send: newsletter } ]\ntrigger:\n${trigger.replace(/^/gm, '  ')}\n`, files)
    .trigger;

describe('triggers', () => {
  it('event with where and correlate', () => {
    expect(triggerOf('event: checkout.started\ncorrelate: checkout_id\nwhere: { attribute: total, gte: 20 }')).toEqual({
      kind: 'event',
      event: 'checkout.started',
      correlate: 'checkout_id',
      where: { kind: 'attribute', scope: 'properties', path: ['total'], op: 'gte', value: 20 },
      withinMs: 86_400_000,
    });
  });

  it("schedule in each contact's zone, with start and until", () => {
    expect(
      triggerOf(
        'schedule:\n  rrule: "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10"\n  timezone: contact\n  start: 2026-11-01\n  until: 2027-06-30T23:59',
      ),
    ).toEqual({
      kind: 'schedule',
      rrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10',
      timezone: 'contact',
      start: '2026-11-01T00:00',
      until: '2027-06-30T23:59',
    });
  });

  it('schedule without a timezone uses the calendar zone; zones are canonicalised', () => {
    expect(triggerOf('schedule: { rrule: "FREQ=DAILY;BYHOUR=9" }')).toEqual({
      kind: 'schedule',
      rrule: 'FREQ=DAILY;BYHOUR=9',
      timezone: 'Europe/Warsaw',
    });
    expect(triggerOf('schedule: { rrule: "FREQ=DAILY", timezone: america/new_york }')).toMatchObject({ timezone: 'America/New_York' });
  });

  it('schedule without a calendar file uses UTC', () => {
    expect(triggerOf('schedule: { rrule: "FREQ=DAILY" }', { 'campaigns/calendar.yaml': null })).toMatchObject({ timezone: 'UTC' });
  });

  it('at: a one-off, in the calendar zone unless told', () => {
    expect(triggerOf('at: 2026-11-27T10:00')).toEqual({ kind: 'at', at: '2026-11-27T10:00', timezone: 'Europe/Warsaw' });
    expect(triggerOf('at: 2026-11-27T10:00\ntimezone: contact')).toEqual({ kind: 'at', at: '2026-11-27T10:00', timezone: 'contact' });
  });

  it('segment enters / leaves, with the segment condition inlined', () => {
    expect(triggerOf('segment: { enters: vip }')).toEqual({
      kind: 'segment',
      change: 'enters',
      segment: 'vip',
      condition: { kind: 'event', type: 'order.created', count: { op: 'gte', n: 5 } },
    });
    expect(triggerOf('segment: { leaves: vip }')).toMatchObject({ change: 'leaves', segment: 'vip' });
  });

  it('a broadcast that only sometimes hits a blackout date is fine', () => {
    expect(triggerOf('schedule: { rrule: "FREQ=DAILY", start: 2026-12-20T10:00 }')).toMatchObject({ kind: 'schedule' });
  });
});
