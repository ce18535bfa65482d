import { TRANSACTIONAL_PURPOSE } from '../dsl/plan';
import type { Logger } from '../lib/log';
import type { Metrics } from '../metrics';
import { type ComplaintCounts, countComplaintRate } from '../storage/complaint-rate';
import type { Tx } from '../storage/db';
import { type MarketingPause, raiseMarketingPause } from '../storage/dispatch-pause';

/**
 * The complaint-rate guard: a rolling spam-complaint rate of the sending identity; past
 * COMPLAINT_RATE_MAX (default 0.3 %, the line Gmail's and Yahoo's bulk-sender rules draw) the
 * dispatcher raises `dispatch.marketing_paused` at its next tick and from then on claims only
 * transactional sends, until an operator resumes (`resumeDispatch`, `almanac resume`).
 *
 * - **Rate** = `email.complained` events / marketing sends (`sent_at`, every purpose but
 *   `email.transactional`) in the window. Every complaint counts, whatever mail it was about;
 *   transactional volume is left out of the denominator so receipts cannot dilute it.
 * - **Window**: the last COMPLAINT_RATE_WINDOW_DAYS (default 7). Gmail's Postmaster Tools show a
 *   daily rate, but complaints arrive hours to days after the mail and a small shop sends its
 *   newsletter weekly: a 1-day window would see the sends one day and their complaints the next,
 *   and never trip. 7 days holds a week's sends together with their complaints.
 * - **Minimum volume**: below COMPLAINT_RATE_MIN_SENT (default 1000) marketing sends in the window
 *   the guard never trips: one complaint in ten sends is noise, not a rate.
 * - **Identity**: the domain of MAIL_FROM. Sends do not store their From (a template's meta.yaml
 *   may override it), so every send and every complaint counts against that one identity and the
 *   pause holds all marketing mail: erring towards pausing.
 * - **Resume**: clearing the pause records the time; the window starts no earlier, so the guard
 *   trips again only on MIN_SENT fresh marketing sends at a fresh rate past the line.
 */
export interface ComplaintGuardSettings {
  /** COMPLAINT_RATE_MAX: the highest tolerated rate, a fraction (0.003 = 0.3 %). Tripped when strictly over. */
  maxRate: number;
  /** COMPLAINT_RATE_MIN_SENT: marketing sends in the window before the guard can trip. */
  minSent: number;
  /** COMPLAINT_RATE_WINDOW_DAYS. */
  windowDays: number;
}

export const defaultComplaintGuard: ComplaintGuardSettings = { maxRate: 0.003, minSent: 1000, windowDays: 7 };

/** The sending identity of a From header: its address's domain, lower-case (`Shop <news@Shop.example>` → `shop.example`). */
export function sendingIdentity(from: string): string {
  const address = /<([^>]*)>/.exec(from)?.[1] ?? from;
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(at + 1)).trim().toLowerCase();
}

export type ComplaintDecision =
  { pause: true; rate: number; reason: string } | { pause: false; rate: number; /** Why not, for `almanac status`. */ reason: string };

const percent = (rate: number) => `${(rate * 100).toFixed(2)}%`;

/**
 * Pure: whether these counts pause marketing. `now` dates the window in the reason text: the
 * configured days, or "since <time>" when a resume cut the window short.
 */
export function complaintDecision(counts: ComplaintCounts, settings: ComplaintGuardSettings, now: Date): ComplaintDecision {
  const { complaints, sent } = counts;
  const rate = sent === 0 ? 0 : complaints / sent;
  const fullWindow = now.getTime() - counts.windowStart.getTime() >= settings.windowDays * 86_400_000;
  const span = fullWindow
    ? `in ${settings.windowDays} day${settings.windowDays === 1 ? '' : 's'}`
    : `since ${counts.windowStart.toISOString()}`;
  const measured = `complaint rate ${percent(rate)} (${complaints} of ${sent} marketing sends ${span})`;
  if (sent < settings.minSent)
    return { pause: false, rate, reason: `${measured}: below the minimum of ${settings.minSent} sends, not judged` };
  if (rate > settings.maxRate) return { pause: true, rate, reason: `${measured} is over ${percent(settings.maxRate)}` };
  return { pause: false, rate, reason: `${measured} is within ${percent(settings.maxRate)}` };
}

/** The current counts and verdict, without raising anything: for `almanac status`. One statement. */
export async function complaintRateNow(
  tx: Tx,
  settings: ComplaintGuardSettings,
  now: Date,
): Promise<ComplaintCounts & { decision: ComplaintDecision }> {
  const counts = await countComplaintRate(tx, { now, windowMs: settings.windowDays * 86_400_000, excludePurpose: TRANSACTIONAL_PURPOSE });
  return { ...counts, decision: complaintDecision(counts, settings, now) };
}

const RATE = 'almanac_complaint_rate';
const RATE_HELP = 'Spam complaints per marketing send over the rolling window (COMPLAINT_RATE_WINDOW_DAYS), by sending identity';
export const PAUSED = 'almanac_dispatch_paused';
export const PAUSED_HELP =
  '1 while dispatch is paused: unlabelled, dispatch.paused (the transport reported the account paused; nothing is sent); reason="complaint_rate", dispatch.marketing_paused (marketing held, transactional mail still sent)';

/**
 * The dispatcher's per-tick check (src/scheduler/dispatch.ts). `check(now, current)`: with a
 * marketing pause already raised (`current`) it only reports it; otherwise it counts (one
 * statement), and past the line raises the pause. Returns the pause in force, if any. Logs once
 * per pause per process: an error from the process that raised it, a warning from any other
 * that first sees it, and an info line when it is gone.
 */
export function createComplaintGuard(o: { db: Tx; settings: ComplaintGuardSettings; from: string; metrics: Metrics; log: Logger }) {
  const identity = sendingIdentity(o.from);
  let announced: string | undefined;
  const show = (pause: MarketingPause | undefined) => o.metrics.set(PAUSED, PAUSED_HELP, pause ? 1 : 0, { reason: 'complaint_rate' });
  show(undefined);

  return {
    identity,
    /** Only set the gauge (the dispatcher's tick while the account pause holds everything). */
    report: show,
    async check(now: Date, current: MarketingPause | undefined): Promise<MarketingPause | undefined> {
      if (current) {
        show(current);
        if (announced !== current.since) {
          announced = current.since;
          o.log.warn(
            `marketing dispatch paused for ${current.identity}: ${current.reason}; only transactional mail is sent until resumed`,
            {
              since: current.since,
            },
          );
        }
        return current;
      }
      if (announced !== undefined) {
        announced = undefined;
        o.log.info(`marketing dispatch resumed for ${identity}`);
      }
      const counts = await countComplaintRate(o.db, {
        now,
        windowMs: o.settings.windowDays * 86_400_000,
        excludePurpose: TRANSACTIONAL_PURPOSE,
      });
      const decision = complaintDecision(counts, o.settings, now);
      o.metrics.set(RATE, RATE_HELP, decision.rate, { identity });
      if (!decision.pause) {
        show(undefined);
        return undefined;
      }
      const pause: MarketingPause = {
        cause: 'complaint_rate',
        reason: decision.reason,
        identity,
        complaints: counts.complaints,
        sent: counts.sent,
        rate: decision.rate,
        maxRate: o.settings.maxRate,
        windowStart: counts.windowStart.toISOString(),
        since: now.toISOString(),
      };
      if (await raiseMarketingPause(o.db, pause, now)) {
        announced = pause.since;
        o.log.error(
          `marketing dispatch paused for ${identity}: ${pause.reason}; only transactional mail is sent until resumed (almanac resume)`,
        );
      }
      // Raised here or, a moment earlier, by another process: either way marketing is held from now.
      show(pause);
      return pause;
    },
  };
}
