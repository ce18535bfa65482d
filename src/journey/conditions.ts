import type { Condition, EventFact, Facts } from '../dsl/condition';
import { evaluate } from '../dsl/conditions/evaluate';

/** A branch arm's `when`, over the contact as the run sees it now (updates of this call included). */
export function holds(condition: Condition, facts: Facts, now: Date): boolean {
  return evaluate(condition, facts, now);
}

/**
 * Whether `event` satisfies a `where` (of a wait_until or an exit_on entry) over its properties.
 * Asked as "this contact has at least one such event" over a fact set holding only this event,
 * so paths resolve exactly as in an `event … where:` condition. An event stamped later than `now`
 * (clock skew between sources) is counted as happening now rather than ignored.
 */
export function whereHolds(where: Condition | undefined, event: EventFact, facts: Facts, now: Date): boolean {
  if (!where) return true;
  const occurredAt = event.occurredAt.getTime() > now.getTime() ? now : event.occurredAt;
  return evaluate(
    { kind: 'event', type: event.type, count: { op: 'gte', n: 1 }, where },
    { ...facts, events: [{ ...event, occurredAt }] },
    now,
  );
}
