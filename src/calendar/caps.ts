import type { CalendarPlan } from '../dsl/plan';

export type FrequencyCap = CalendarPlan['frequencyCaps'][number];

/** Same purpose as src/scheduler/gate.ts's TRANSACTIONAL_PURPOSE (not imported: the gate imports us). */
const TRANSACTIONAL = 'email.transactional';

/** A send that wants to go to one contact now. */
export interface CapCandidate {
  id: string | number;
  campaign: string;
  purpose: string;
  priority: number;
  transactional: boolean;
}

/** One of that contact's sends already sent (any campaign). */
export interface RecentSend {
  at: Date;
  purpose: string;
  /** Defaults to `purpose === 'email.transactional'`. Transactional sends never count. */
  transactional?: boolean;
}

export type CapDecision =
  | { id: string | number; action: 'send' }
  | { id: string | number; action: 'defer'; until: Date; reason: string }
  | { id: string | number; action: 'skip'; reason: string };

/**
 * A send of the contact not queued yet but already known: an active run sleeping in a `wait`
 * whose next step is a send (src/journey/next-send.ts). `at` is when it will pass the gate (the
 * wait's end, moved past quiet hours and blackout days).
 */
export interface UpcomingSend {
  at: Date;
  campaign: string;
  purpose: string;
  priority: number;
}

export interface CapInput {
  candidates: CapCandidate[];
  recent: RecentSend[];
  caps: FrequencyCap[];
  onConflict: CalendarPlan['onConflict'];
  now: Date;
  /** The contact's upcoming sends (priority look-ahead); none: candidates only compete with each other. */
  upcoming?: UpcomingSend[];
}

/**
 * Frequency caps with priority, for one contact at `now`. Pure: the dispatcher's gate reads the
 * contact's recent sends (under a lock, so two dispatchers cannot both take the last slot) and
 * applies the decisions.
 *
 * - A cap counts the contact's marketing sends of its purpose (`any`: every purpose) in the
 *   rolling window (now − per, now]: a send exactly `per` ago has aged out, so "1 per 1d" after a
 *   send at 10:00 allows the next at 10:00 the next day. Sends dated after `now` do not count.
 * - Candidates go by priority (high first), then campaign id, then send id: the winner is the
 *   same however they arrive. Each one sent takes a slot from those after it.
 * - Transactional candidates always send and take no slot.
 * - A candidate over a cap is deferred to the first instant every cap has room again (when enough
 *   counted sends age out), or skipped when `onConflict` is `skip`. The reason names the cap that
 *   frees last: `cap:email.marketing:3/7d`. A cap that can never have room (max < 1) skips.
 * - Deferred candidates take no slot: at `until` they compete again, by priority.
 * - Priority looks ahead: a candidate with room now still yields when taking the slot would
 *   leave none, at its time, for an `upcoming` send of strictly higher priority due within the
 *   cap window (upcoming sends are reserved in time order, each only if it would fit without
 *   the candidate). It is deferred to when it has room after that send (or skipped with
 *   `skip`); the reason is `yield:CAMPAIGN:` + the cap, e.g. `yield:abandoned-cart:cap:any:1/1d`.
 *
 * Returns one decision per candidate, in the order given.
 */
export function allocateCaps({ candidates, recent, caps, onConflict, now, upcoming = [] }: CapInput): CapDecision[] {
  const t = now.getTime();
  const counted = recent
    .filter((r) => !(r.transactional ?? r.purpose === TRANSACTIONAL) && r.at.getTime() <= t)
    .map((r) => ({ at: r.at.getTime(), purpose: r.purpose }));
  const decided = new Map<CapCandidate, CapDecision>();
  for (const c of [...candidates].sort(byPriority)) {
    if (c.transactional) {
      decided.set(c, { id: c.id, action: 'send' });
      continue;
    }
    const block = blockingCap(c.purpose, counted, caps, t) ?? yieldTo(c, counted, upcoming, caps, t);
    if (!block) {
      counted.push({ at: t, purpose: c.purpose });
      decided.set(c, { id: c.id, action: 'send' });
    } else if (onConflict === 'skip' || block.until === undefined) {
      decided.set(c, { id: c.id, action: 'skip', reason: block.reason });
    } else {
      decided.set(c, { id: c.id, action: 'defer', until: new Date(block.until), reason: block.reason });
    }
  }
  return candidates.map((c) => decided.get(c)!);
}

function byPriority(a: CapCandidate, b: CapCandidate): number {
  return b.priority - a.priority || compare(a.campaign, b.campaign) || compare(a.id, b.id);
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Whether `c`, sending at `t`, would take the slot of a higher-priority upcoming send: the
 * upcoming ones are walked in time order against the counted sends with and without `c`; the
 * first that fits without `c` but not with it wins the slot. `until` is when `c` has room once
 * that send (and the ones reserved before it) went out.
 */
function yieldTo(
  c: CapCandidate,
  counted: Array<{ at: number; purpose: string }>,
  upcoming: UpcomingSend[],
  caps: FrequencyCap[],
  t: number,
): { reason: string; until?: number } | undefined {
  const longest = Math.max(0, ...caps.map((cap) => cap.perMs));
  const ahead = upcoming
    .map((u) => ({ ...u, t: Math.max(t, u.at.getTime()) }))
    .filter((u) => u.priority > c.priority && u.purpose !== TRANSACTIONAL && u.t < t + longest)
    .sort((a, b) => a.t - b.t || compare(a.campaign, b.campaign));
  if (ahead.length === 0) return undefined;
  const without = [...counted];
  const withC = [...counted, { at: t, purpose: c.purpose }];
  for (const u of ahead) {
    if (blockingCap(u.purpose, without, caps, u.t)) continue; // it would wait anyway: nothing to keep for it
    const taken = blockingCap(u.purpose, withC, caps, u.t);
    if (taken) {
      without.push({ at: u.t, purpose: u.purpose });
      const after = blockingCap(c.purpose, without, caps, u.t);
      const until = Math.max(after?.until ?? u.t, t + 1);
      return { reason: `yield:${u.campaign}:${taken.reason}`, until };
    }
    without.push({ at: u.t, purpose: u.purpose });
    withC.push({ at: u.t, purpose: u.purpose });
  }
  return undefined;
}

/** The cap that keeps `purpose` from sending at `t`, with when all caps have room; undefined when none does. */
function blockingCap(
  purpose: string,
  counted: Array<{ at: number; purpose: string }>,
  caps: FrequencyCap[],
  t: number,
): { reason: string; until?: number } | undefined {
  let worst: { reason: string; until?: number } | undefined;
  for (const cap of caps) {
    if (cap.purpose !== 'any' && cap.purpose !== purpose) continue;
    const inWindow = counted
      .filter((s) => (cap.purpose === 'any' || s.purpose === cap.purpose) && s.at > t - cap.perMs)
      .map((s) => s.at)
      .sort((a, b) => a - b);
    if (inWindow.length < cap.max) continue;
    const reason = `cap:${cap.purpose}:${cap.max}/${formatDuration(cap.perMs)}`;
    // Room comes back when the (count − max + 1) oldest have aged out.
    const freeingSend = cap.max >= 1 ? inWindow[inWindow.length - cap.max] : undefined;
    const until = freeingSend === undefined ? undefined : freeingSend + cap.perMs;
    if (until === undefined) return { reason };
    if (!worst || (worst.until !== undefined && until > worst.until)) worst = { reason, until };
  }
  return worst;
}

/** Milliseconds in the DSL's largest whole unit that fits: 7d, 12h, 30m, 45s (weeks stay days, as written in calendar.yaml). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
