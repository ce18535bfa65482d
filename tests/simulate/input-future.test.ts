import { describe, expect, it } from 'vitest';
import { parseNdjson, type SimulationInput } from '../../src/simulate/input';

const from = new Date('2026-11-23T00:00:00Z');
const line = (occurredAt?: string) =>
  JSON.stringify({
    type: 'checkout.started',
    ...(occurredAt ? { occurred_at: occurredAt } : {}),
    contact: { id: 'c-1', email: 'ada@example.com' },
    properties: { checkout_id: 'k-1' },
  });

describe('simulate NDJSON and future dates', () => {
  it('takes events dated after --from: they are the future of the simulation, not clock errors', () => {
    const input: SimulationInput = { events: [], contacts: [] };
    parseNdjson('story.ndjson', [line(), line('2026-11-23T10:00:00Z'), line('2026-11-25T09:30:00+01:00')].join('\n'), input, from);
    expect(input.events.map((e) => e.occurredAt.toISOString())).toEqual([
      '2026-11-23T00:00:00.000Z',
      '2026-11-23T10:00:00.000Z',
      '2026-11-25T08:30:00.000Z',
    ]);
  });

  it('still refuses a bad line, naming the file and line', () => {
    const input: SimulationInput = { events: [], contacts: [] };
    expect(() => parseNdjson('story.ndjson', `${line()}\n${line('tomorrow')}`, input, from)).toThrow(
      'story.ndjson:2: occurred_at: expected an ISO 8601 time with a zone, such as 2026-11-23T10:00:00Z',
    );
  });
});
