import { describe, expect, it } from 'vitest';
import { formatText } from '../../src/simulate/format/text';
import type { SimulationReport } from '../../src/simulate/report';

describe('simulate text: who did not enter', () => {
  it('one line per campaign and reason, naming everyone it applies to', () => {
    const absent = (contact: string, campaign: string, detail: string) => ({ contact, campaign, reason: 'no_event', detail });
    const report = {
      from: '2026-11-23T00:00:00Z',
      to: '2026-11-24T00:00:00Z',
      timeline: [],
      not_entered: [
        ...['ada', 'ben', 'cleo'].map((c) => absent(c, 'welcome', 'no contact.created event')),
        absent('dan', 'welcome', 'no consent for email.marketing (never given)'),
        ...Array.from({ length: 8 }, (_, i) => absent(`p${i}`, 'browse-abandonment', 'no product.viewed event')),
      ],
      summary: [],
    } as unknown as SimulationReport;
    const text = formatText(report);
    expect(text).toContain('\n  ada, ben and cleo did not enter welcome: no contact.created event\n');
    expect(text).toContain('\n  dan did not enter welcome: no consent for email.marketing (never given)\n');
    expect(text).toContain('\n  p0, p1, p2, p3, p4 and 3 others did not enter browse-abandonment: no product.viewed event\n');
  });
});
