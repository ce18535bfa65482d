import { AppError } from '../errors';
import { parseEventBody } from '../events/schema';
import type { ContactInput, IngestEvent } from '../events/types';
import { canonicalZone } from '../events/fields';

/**
 * Read simulate's NDJSON: each line is an event in the one JSON shape (DESIGN.md "Events") or a
 * contact line `{ "contact": {…}, "attributes": {…} }`. Blank lines and lines starting with `#`
 * are skipped. Errors name the file and line. An event without `occurred_at` happens at
 * `defaultTime`; events may be dated any time after it (they are history being replayed, not
 * events received now), so the live API's refusal of future-dated events does not apply.
 * An event line may carry `received_at` (simulate only): when the event arrives, if later than it
 * happened — to replay a backfill or a late webhook; triggers then judge its age (`within`).
 */
export interface SimulationInput {
  /** `receivedAt`: when it arrives (default: when it happened). */
  events: Array<IngestEvent & { receivedAt?: Date }>;
  contacts: ContactInput[];
}

export function parseNdjson(file: string, text: string, into: SimulationInput, defaultTime: Date): void {
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new AppError('validation_failed', `${where}: not JSON: ${(err as Error).message}`);
    }
    const obj = value as Record<string, unknown>;
    if (obj && typeof obj === 'object' && !('type' in obj) && 'contact' in obj) {
      into.contacts.push(contactLine(where, obj));
      return;
    }
    const { received_at: receivedRaw, ...event } = obj && typeof obj === 'object' ? obj : { received_at: undefined };
    const receivedAt = receivedRaw === undefined ? undefined : new Date(String(receivedRaw));
    if (receivedAt && (typeof receivedRaw !== 'string' || Number.isNaN(receivedAt.getTime()))) {
      throw new AppError('validation_failed', `${where}: received_at: expected an ISO time such as 2026-11-23T10:00:00Z`);
    }
    // Events without an id get one from their position, so a re-run is the same run.
    const withId =
      obj && typeof obj === 'object' && !('id' in obj)
        ? { ...event, id: `${file}:${i + 1}` }
        : obj && typeof obj === 'object'
          ? event
          : obj;
    // `defaultTime` (--from) is not a receipt time: events after it are the simulation's future,
    // so the future-date check of live ingestion (MAX_FUTURE_SKEW_MS) is off here.
    const parsed = parseEventBody(withId, { now: defaultTime, maxFutureSkewMs: null });
    if (!parsed.ok) {
      throw new AppError(
        'validation_failed',
        `${where}: ${parsed.error.map((e) => `${e.path.replace('(body)', 'event')}: ${e.message}`).join('; ')}`,
      );
    }
    for (const e of parsed.value) {
      if (receivedAt && receivedAt < e.occurredAt) {
        throw new AppError('validation_failed', `${where}: received_at: ${String(receivedRaw)} is before the event's occurred_at`);
      }
      into.events.push(receivedAt ? { ...e, receivedAt } : e);
    }
  });
}

function contactLine(where: string, obj: Record<string, unknown>): ContactInput {
  const c = obj.contact as Record<string, unknown> | null;
  if (!c || typeof c !== 'object') throw new AppError('validation_failed', `${where}: contact: expected an object`);
  const externalId = typeof c.id === 'string' ? c.id : undefined;
  const email = typeof c.email === 'string' ? c.email.toLowerCase() : undefined;
  if (!externalId && !email) throw new AppError('validation_failed', `${where}: contact: needs an id or an email`);
  const zone = typeof c.timezone === 'string' ? canonicalZone(c.timezone) : undefined;
  const attributes = { ...(obj.attributes as Record<string, unknown> | undefined) };
  return {
    ...(externalId ? { externalId } : {}),
    ...(email ? { email } : {}),
    ...(zone ? { timezone: zone } : {}),
    ...(typeof c.locale === 'string' ? { locale: c.locale } : {}),
    ...(typeof obj.lifecycle_stage === 'string' ? { lifecycleStage: obj.lifecycle_stage } : {}),
    attributes,
  };
}
