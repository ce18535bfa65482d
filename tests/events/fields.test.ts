import { describe, expect, it } from 'vitest';
import { canonicalZone, timezoneField } from '../../src/events/fields';

describe('time zones are stored by their canonical name', () => {
  it('fixes the case and follows links; refuses offsets and unknown names', () => {
    expect(timezoneField.parse('europe/warsaw')).toBe('Europe/Warsaw');
    expect(timezoneField.parse('US/Pacific')).toBe('America/Los_Angeles');
    expect(timezoneField.parse('EST5EDT')).toBe('America/New_York');
    expect(timezoneField.parse('GMT')).toBe('UTC');
    expect(timezoneField.parse('Europe/Warsaw')).toBe('Europe/Warsaw');
    expect(timezoneField.safeParse('+01:00').success).toBe(false);
    expect(timezoneField.safeParse('Europe/Warsa').success).toBe(false);
    expect(canonicalZone('Mars/Olympus')).toBeUndefined();
  });
});
