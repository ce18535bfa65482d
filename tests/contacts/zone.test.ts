import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localeFromCountry, zoneFromAddress } from '../../src/contacts/zone';
import { main } from '../../src/runtime/cli';

/**
 * Issue 16, zone and locale inference: a contact who states no zone gets one from a postal
 * address (country + province/state, from maintained data packages), recorded as a guess, so a
 * New York customer of a Warsaw shop gets the 10:00 newsletter at 10:00 New York time.
 */
describe('zone and locale from an address', () => {
  it('uses the country when it has one zone, else the province or state, else its largest city', () => {
    expect(zoneFromAddress({ countryCode: 'PL' })).toBe('Europe/Warsaw');
    expect(zoneFromAddress({ countryCode: 'us', province: 'New York' })).toBe('America/New_York');
    expect(zoneFromAddress({ countryCode: 'US', province: 'california' })).toBe('America/Los_Angeles');
    expect(zoneFromAddress({ countryCode: 'US', province: 'Arizona' })).toBe('America/Phoenix');
    expect(zoneFromAddress({ countryCode: 'AU', province: 'Western Australia' })).toBe('Australia/Perth');
    expect(zoneFromAddress({ countryCode: 'CA', province: 'Québec' })).toBe('America/Toronto');
    expect(zoneFromAddress({ countryCode: 'US', province: 'Indiana', city: 'Gary' })).toBe('America/Chicago');
    expect(zoneFromAddress({ countryCode: 'US' })).toBe('America/New_York');
    expect(zoneFromAddress({ countryCode: 'US', province: 'Atlantis' })).toBe('America/New_York');
    expect(zoneFromAddress({ countryCode: 'XX' })).toBeUndefined();
  });

  it('takes the locale of the country’s most likely language', () => {
    expect([localeFromCountry('PL'), localeFromCountry('us'), localeFromCountry('CH'), localeFromCountry('XX')]).toEqual([
      'pl',
      'en',
      'de',
      undefined,
    ]);
  });
});

const scratch = mkdtempSync(join(tmpdir(), 'almanac-zone-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('almanac simulate with a guessed zone', () => {
  it('sends the Warsaw shop’s 10:00 newsletter at 10:00 New York time to a New York address', { timeout: 120_000 }, async () => {
    const events = join(scratch, 'ny.ndjson');
    const event = (id: string, contact: Record<string, unknown>) =>
      JSON.stringify({
        id: `consent-${id}`,
        type: 'consent.granted',
        occurred_at: '2026-11-30T08:00:00Z',
        contact: { id, email: `${id}@example.com`, ...contact },
        properties: { purpose: 'email.marketing' },
      });
    writeFileSync(
      events,
      [
        event('nora', { address: { country_code: 'US', province: 'New York', city: 'Brooklyn' } }),
        event('wanda', { address: { country_code: 'PL', city: 'Kraków' } }),
        // A stated zone wins over the address.
        event('lars', { timezone: 'Asia/Tokyo', address: { country_code: 'US', province: 'New York' } }),
        event('nemo', {}),
      ].join('\n') + '\n',
    );
    let out = '';
    let err = '';
    const code = await main(['simulate', '--events', events, '--from', '2026-11-30T00:00:00Z', '--to', '2026-12-02T00:00:00Z'], {
      env: {},
      out: (s) => (out += s),
      err: (s) => (err += s),
      cwd: process.cwd(),
    });
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const sent = (who: string) => new RegExp(`^(\\S+ \\S+ \\S+ \\S+) +${who} +newsletter +send newsletter +sent`, 'm').exec(out)?.[1];
    // Tuesday 1 December 2026, 10:00 local, shown on each contact's clock (computed from the UTC send time).
    expect(sent('nora')).toBe('Tue 2026-12-01 10:00 America/New_York');
    expect(sent('wanda')).toBe('Tue 2026-12-01 10:00 Europe/Warsaw');
    expect(sent('lars')).toBe('Tue 2026-12-01 10:00 Asia/Tokyo');
    // No zone and no address: the calendar's (Europe/Warsaw).
    expect(sent('nemo')).toBe('Tue 2026-12-01 10:00 Europe/Warsaw');
  });
});
