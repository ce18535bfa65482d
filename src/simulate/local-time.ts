/** `Tue 2026-11-24 10:00 Europe/Warsaw`: what a marketer reads (the contact's clock). */
export function localTime(at: string | Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zone}`;
}

/** UTC, ISO 8601, whole seconds without `.000`: `2026-11-24T09:00:00Z`. */
export const iso = (d: string | Date) => new Date(d).toISOString().replace('.000Z', 'Z');

/** Byte order, not locale order: the same input sorts the same everywhere. */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
