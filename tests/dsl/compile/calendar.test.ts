import { describe, expect, it } from 'vitest';
import { compileWith, yaml } from '../fixtures/project';

describe('calendar.yaml and segments.yaml', () => {
  it('compile every calendar field', () => {
    const result = compileWith({
      'campaigns/calendar.yaml': yaml`
        timezone: Europe/Warsaw
        quiet_hours: { from: "21:30", to: "08:00" }
        blackout:
          - { date: 2026-12-25, reason: Christmas }
          - { rrule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", reason: New Year }
        frequency_caps:
          - { purpose: email.marketing, max: 3, per: 7d }
          - { purpose: any, max: 1, per: 1d }
        on_conflict: skip
        seasons:
          - { name: Black Friday, from: 2026-11-27, to: 2026-11-30 }
          - { name: Christmas, from: 2026-12-01, to: 2026-12-24 }
        purposes:
          - id: email.marketing
            label: { en: Offers and news, pl: Oferty i nowości }
            description: What we send about sales
          - { id: email.newsletter, label: The weekly letter, double_opt_in: true }
      `,
      // A double opt-in purpose needs a campaign that mails the confirmation (checked in ./double-opt-in tests).
      'campaigns/confirm.yaml': yaml`
        campaign: confirm
        name: Confirm
        purpose: email.transactional
        trigger: { event: consent.requested }
        steps:
          - send: welcome-1
      `,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.project.calendar).toEqual({
      timezone: 'Europe/Warsaw',
      quietHours: { fromMinute: 21 * 60 + 30, toMinute: 8 * 60 },
      blackout: [
        { date: '2026-12-25', reason: 'Christmas' },
        { rrule: 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1', reason: 'New Year' },
      ],
      frequencyCaps: [
        { purpose: 'email.marketing', max: 3, perMs: 7 * 86_400_000 },
        { purpose: 'any', max: 1, perMs: 86_400_000 },
      ],
      onConflict: 'skip',
      seasons: [
        { name: 'Black Friday', from: '2026-11-27', to: '2026-11-30' },
        { name: 'Christmas', from: '2026-12-01', to: '2026-12-24' },
      ],
      purposes: [
        {
          id: 'email.marketing',
          label: { en: 'Offers and news', pl: 'Oferty i nowości' },
          description: { en: 'What we send about sales' },
          doubleOptIn: false,
        },
        { id: 'email.newsletter', label: { en: 'The weekly letter' }, description: {}, doubleOptIn: true },
      ],
    });
  });

  it('without calendar.yaml or segments.yaml: a UTC calendar with nothing in it, no segments', () => {
    const result = compileWith({ 'campaigns/calendar.yaml': null, 'campaigns/segments.yaml': null });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.project.calendar).toEqual({ timezone: 'UTC', blackout: [], frequencyCaps: [], onConflict: 'defer', seasons: [] });
    expect(result.project.segments).toEqual({});
  });

  it('segments are compiled by name', () => {
    const result = compileWith({});
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.project.segments).toEqual({ vip: { kind: 'event', type: 'order.created', count: { op: 'gte', n: 5 } } });
  });
});
