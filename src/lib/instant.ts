/**
 * A `now` given by a person (`almanac calendar --now`, `GET /v1/admin/calendar?now=`): an ISO
 * instant with its zone, in the years 2000–9999 — else undefined. Earlier reads as a mistake, and
 * the look-back windows before it (the caps' days before `now`) would fall before year 1, where
 * PostgreSQL's timestamps stop (year 0001 was a 500).
 */
export function parseInstant(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const d = new Date(value);
  const year = d.getUTCFullYear();
  return Number.isNaN(d.getTime()) || year < 2000 || year > 9999 ? undefined : d;
}

export const INSTANT_EXPECTED = 'an ISO instant with its zone from the years 2000–9999, e.g. 2026-11-23T10:00:00Z';
