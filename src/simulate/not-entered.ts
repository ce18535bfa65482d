import { expandTrigger, isBroadcast } from '../calendar/occurrences';
import { zoneOrFallback } from '../calendar/zone';
import { conditionWords, triggerWords } from '../campaigns/words';
import type { CampaignPlan } from '../dsl/plan';
import { whereHolds } from '../journey/conditions';
import { latestCalendarPlan } from '../storage/campaign-versions';
import type { Tx } from '../storage/db';
import { loadFacts } from '../storage/facts';
import { readEventsOfTypes, readSegmentMemberships, readSimulatedContacts, type SimulatedEvent } from '../storage/simulation-facts';
import { cmp, localTime } from './local-time';
import { explainRefusals, type Refusal } from './refusals';
import { holdoutWords, type TimelineEntry } from './timeline';
import { audienceWords } from './why-not';

/**
 * A contact who got no run of a campaign during the simulation, and why, in words:
 * `ana@example.com did not enter abandoned-cart: no consent for email.marketing (never given)`.
 * `reason` is a short code to group by: a trigger skip's own (`audience`, `re_entry`,
 * `already_running`, `stale event…`), `holdout` (a run is recorded, no mail: the lift group),
 * `no_event`, `history` (its events fell before --from), `after_end`, `where`,
 * `no_occurrence`, `audience` (a broadcast or segment entry refused), `not_in_segment`,
 * `not_left`, `no_run` (none of those: the engine started nothing, reason unknown).
 */
export interface NotEntered {
  contact: string;
  campaign: string;
  reason: string;
  detail: string;
}

interface Window {
  from: Date;
  to: Date;
}

const pairKey = (contact: string, campaign: string) => `${contact}\u0000${campaign}`;

/**
 * For every contact × campaign without a run that entered: one line saying why, sorted by
 * campaign then contact. Refusals the engine recorded (trigger skips, holdouts) come from the
 * timeline; the rest is worked out from what happened: no triggering event (or one before
 * --from, after --to, or not matching `where`), no occurrence of a broadcast, the audience at
 * the occurrence or at the segment entry (naming the failing part, such as missing consent), not
 * in the segment. Consent is also checked at every send: a contact who entered without it (a
 * campaign whose audience does not ask for it) shows `suppressed` sends in the timeline instead.
 */
export async function readNotEntered(
  tx: Tx,
  campaigns: readonly CampaignPlan[],
  timeline: readonly TimelineEntry[],
  window: Window,
): Promise<NotEntered[]> {
  const contacts = await readSimulatedContacts(tx);
  const entered = new Set<string>();
  const holdouts = new Set<string>();
  const skipped = new Map<string, TimelineEntry[]>();
  for (const e of timeline) {
    const key = pairKey(e.contact, e.campaign);
    if (e.outcome === 'entered') entered.add(key);
    else if (e.outcome === 'holdout') holdouts.add(key);
    else if (e.outcome === 'skipped') skipped.set(key, [...(skipped.get(key) ?? []), e]);
  }
  const calendarZone = (await latestCalendarPlan(tx))?.timezone ?? 'UTC';
  const triggerTypes = [...new Set(campaigns.flatMap((c) => (c.trigger.kind === 'event' ? [c.trigger.event] : [])))];
  const eventsOf = new Map<string, SimulatedEvent[]>();
  for (const e of await readEventsOfTypes(tx, triggerTypes)) {
    const key = `${e.contactId}:${e.type}`;
    eventsOf.set(key, [...(eventsOf.get(key) ?? []), e]);
  }
  const members = new Map((await readSegmentMemberships(tx)).map((m) => [`${m.segment}:${m.contactId}`, m.enteredAt]));
  const facts = await loadFacts(
    tx,
    contacts.map((c) => c.id),
    { now: window.to },
  );

  // Lines known now, and refusals to explain (one facts read per moment) with how to word the answer.
  const lines: Array<NotEntered | { contact: string; campaign: string; ask: number; word: (why: string | undefined) => NotEntered }> = [];
  const asks: Refusal[] = [];
  const ask = (r: Refusal) => asks.push(r) - 1;

  for (const plan of [...campaigns].sort((a, b) => cmp(a.id, b.id))) {
    for (const c of [...contacts].sort((a, b) => cmp(a.name, b.name))) {
      const key = pairKey(c.name, plan.id);
      if (entered.has(key)) continue;
      const base = { contact: c.name, campaign: plan.id };
      const known = [
        ...new Map((skipped.get(key) ?? []).map((k) => [k.detail.replace(/^not entered: /, ''), k.reason ?? 'skipped'])),
        ...(holdouts.has(key) ? ([[holdoutWords(plan), 'holdout']] as const) : []),
      ];
      if (known.length) {
        lines.push({ ...base, reason: [...new Set(known.map(([, r]) => r))].join(','), detail: known.map(([d]) => d).join('; ') });
        continue;
      }
      const t = plan.trigger;
      if (t.kind === 'event') {
        const evs = eventsOf.get(`${c.id}:${t.event}`) ?? [];
        const inWindow = evs.filter((e) => e.receivedAt >= window.from && e.receivedAt <= window.to);
        const f = facts.get(c.id);
        if (evs.length === 0) lines.push({ ...base, reason: 'no_event', detail: `no ${t.event} event` });
        else if (inWindow.length === 0 && evs.every((e) => e.receivedAt < window.from))
          lines.push({ ...base, reason: 'history', detail: `its ${t.event} events came before --from (history triggers nothing)` });
        else if (inWindow.length === 0) lines.push({ ...base, reason: 'after_end', detail: `its ${t.event} event comes after --to` });
        else if (t.where && f && !inWindow.some((e) => whereHolds(t.where, e, f, e.occurredAt)))
          lines.push({ ...base, reason: 'where', detail: `no ${t.event} event where ${conditionWords(t.where)}` });
        else lines.push({ ...base, reason: 'no_run', detail: `its ${t.event} event started no run` });
      } else if (isBroadcast(plan)) {
        const trigger = plan.trigger;
        const zone = trigger.timezone === 'contact' ? zoneOrFallback(c.timezone, calendarZone).zone : trigger.timezone;
        const [first] = expandTrigger(trigger, { from: new Date(window.from.getTime() + 1), to: new Date(window.to.getTime() + 1) }, zone);
        if (!first) {
          const span = `${localTime(window.from, zone)} and ${localTime(window.to, zone)}`;
          lines.push({ ...base, reason: 'no_occurrence', detail: `no occurrence between ${span} (${triggerWords(trigger)})` });
        } else if (plan.audience) {
          const at = first;
          lines.push({
            ...base,
            ask: ask({ contactId: c.id, at, condition: plan.audience }),
            word: (why) =>
              why
                ? { ...base, reason: 'audience', detail: `${audienceWords(why)} at the ${localTime(at, zone)} occurrence` }
                : { ...base, reason: 'no_run', detail: `no run started for the ${localTime(at, zone)} occurrence` },
          });
        } else lines.push({ ...base, reason: 'no_run', detail: `no run started for the ${localTime(first, zone)} occurrence` });
      } else if (t.kind === 'segment') {
        const since = members.get(`${t.segment}:${c.id}`);
        if (t.change === 'leaves') lines.push({ ...base, reason: 'not_left', detail: `did not leave segment ${t.segment}` });
        else if (since && plan.audience) {
          lines.push({
            ...base,
            ask: ask({ contactId: c.id, at: since, condition: plan.audience }),
            word: (why) =>
              why
                ? { ...base, reason: 'audience', detail: `${audienceWords(why)} on entering segment ${t.segment}` }
                : { ...base, reason: 'no_run', detail: `entered segment ${t.segment} but no run started` },
          });
        } else if (since) lines.push({ ...base, reason: 'no_run', detail: `entered segment ${t.segment} but no run started` });
        else {
          lines.push({
            ...base,
            ask: ask({ contactId: c.id, at: window.to, condition: t.condition }),
            word: (why) => ({ ...base, reason: 'not_in_segment', detail: `never in segment ${t.segment}${why ? ` (${why})` : ''}` }),
          });
        }
      }
    }
  }
  const answers = await explainRefusals(tx, asks);
  return lines.map((l) => ('ask' in l ? l.word(answers[l.ask]) : l));
}
