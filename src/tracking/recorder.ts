import { createHmac } from 'node:crypto';
import type { Logger } from '../lib/log';
import type { Metrics } from '../metrics';
import type { Database } from '../storage/db';
import { insertEvents } from '../storage/events';
import { clickContexts, existingLinkIds, insertClicks, insertOpens, type LinkTarget, sendOwners } from '../storage/tracking';
import { classifyClick, classifyOpen, type ClickRules, DEFAULT_CLICK_RULES } from './bots';

export interface ClickHit {
  target: LinkTarget;
  method: string;
  ip: string | null;
  userAgent: string | null;
  at: Date;
}

export interface OpenHit {
  sendId: number;
  ip: string | null;
  userAgent: string | null;
  at: Date;
}

export interface TrackingRecorder {
  /** Queue a click (the redirect has already been answered); written by the next flush. */
  click(hit: ClickHit): void;
  /** Queue an open (the pixel has already been answered). */
  open(hit: OpenHit): void;
  /** Write everything queued: one transaction, a few statements for the whole batch. Returns the hits written. */
  flush(): Promise<number>;
}

export interface RecorderOptions {
  database: Database;
  /** The key of the IP hash (LINK_SIGNING_KEY): raw addresses are never stored. */
  ipKey: string;
  metrics: Metrics;
  log: Logger;
  /**
   * Flush this long after the first queued hit (default 5 s: the "every link within 5 s" scanner
   * rule sees a whole burst in one batch, and a journey hears of a click at its next tick anyway);
   * the tick also flushes. 0: only explicit flushes.
   */
  flushDelayMs?: number;
  /** Flush at once when this many hits are queued (default 500). */
  maxQueued?: number;
  rules?: Partial<ClickRules>;
}

const CLICKS = 'almanac_clicks_total';
const CLICKS_HELP = 'Tracked link clicks recorded, by kind (human, bot)';
const OPENS = 'almanac_opens_total';
const OPENS_HELP = 'Open-pixel fetches recorded, by kind (human, machine)';

/**
 * Clicks and opens, recorded off the redirect's hot path: `/c/:token` and `/o/:token` answer at
 * once and queue the hit here; a flush (a short timer, a full queue, every tick, and shutdown)
 * writes the batch in one transaction — click/open rows with the hashed IP, user agent and the
 * bot/machine verdict and its reason (src/tracking/bots.ts), and for human ones an
 * `email.clicked` / `email.opened` event carrying `send_id`, `campaign`, `run_id` and (clicks)
 * `url` and `link`, which the events phase hands to that run's `wait_until` whatever its
 * correlation key. Bot clicks and machine opens stay in the raw tables with their reason and make
 * no event: they resume no journey and earn no credit. A failed flush puts its hits back for the
 * next one (and logs); a process killed between the answer and the flush loses at most the
 * queued hits — never a redirect.
 */
export function createTrackingRecorder(o: RecorderOptions): TrackingRecorder {
  let clicks: ClickHit[] = [];
  let opens: OpenHit[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<number> = Promise.resolve(0);
  o.metrics.declare(CLICKS, 'counter', CLICKS_HELP);
  o.metrics.declare(OPENS, 'counter', OPENS_HELP);
  const ipHash = (ip: string | null) => (ip ? createHmac('sha256', o.ipKey).update(`almanac:ip:${ip}`).digest('hex').slice(0, 32) : null);

  function schedule(): void {
    if (clicks.length + opens.length >= (o.maxQueued ?? 500)) void recorder.flush();
    else if (!timer && (o.flushDelayMs ?? 5000) > 0) {
      timer = setTimeout(() => void recorder.flush(), o.flushDelayMs ?? 5000);
      timer.unref?.();
    }
  }

  async function write(allClicks: ClickHit[], batchOpens: OpenHit[]): Promise<number> {
    return o.database.db.transaction(async (tx) => {
      // A link erased since its redirect was answered (GDPR erase deletes the send's links) is not recorded.
      const live = await existingLinkIds(tx, [...new Set(allClicks.map((c) => c.target.linkId))]);
      const batchClicks = allClicks.filter((c) => live.has(c.target.linkId));
      const earliest = Math.min(...batchClicks.map((c) => c.at.getTime()));
      const sendIds = [...new Set(batchClicks.flatMap((c) => (c.target.sendId === null ? [] : [c.target.sendId])))];
      const contexts = await clickContexts(tx, sendIds, new Date(earliest - 60_000));
      const rows = batchClicks.map((c) => {
        // A campaign link's click (no send) is judged by its request alone: no delivery, one link.
        const ctx = c.target.sendId === null ? undefined : contexts.get(c.target.sendId);
        const verdict = classifyClick(
          {
            method: c.method,
            userAgent: c.userAgent,
            clickedAt: c.at,
            deliveredAt: ctx?.sentAt,
            position: c.target.position,
            sameSendClicks: ctx?.recent ?? [],
            linkCount: ctx?.linkCount ?? 1,
          },
          o.rules,
        );
        ctx?.recent.push({ position: c.target.position, clickedAt: c.at });
        return { hit: c, verdict: verdict as ReturnType<typeof classifyClick> };
      });
      // A scanner opening every link at once is only recognised at its last click; the earlier
      // ones of that burst in this batch are the same scanner's, so they are flagged too.
      const windowMs = (o.rules?.allLinksWithinSeconds ?? DEFAULT_CLICK_RULES.allLinksWithinSeconds) * 1000;
      for (const burst of rows.filter((r) => r.verdict.bot && r.verdict.reason.startsWith('all '))) {
        for (const r of rows) {
          const gap = burst.hit.at.getTime() - r.hit.at.getTime();
          if (!r.verdict.bot && r.hit.target.sendId === burst.hit.target.sendId && gap >= 0 && gap <= windowMs) r.verdict = burst.verdict;
        }
      }
      const clickIds = await insertClicks(
        tx,
        rows.map(({ hit, verdict }) => ({
          linkId: hit.target.linkId,
          sendId: hit.target.sendId,
          contactId: hit.target.contactId,
          clickedAt: hit.at,
          ip: ipHash(hit.ip),
          userAgent: hit.userAgent,
          isBot: verdict.bot,
          botReason: verdict.bot ? verdict.reason : null,
        })),
      );
      const owners = await sendOwners(tx, [...new Set(batchOpens.map((h) => h.sendId))]);
      const openRows = batchOpens.flatMap((h) => {
        const owner = owners.get(h.sendId);
        return owner ? [{ hit: h, owner, verdict: classifyOpen({ userAgent: h.userAgent, ip: h.ip }) }] : [];
      });
      const openIds = await insertOpens(
        tx,
        openRows.map(({ hit, owner, verdict }) => ({
          sendId: hit.sendId,
          contactId: owner.contactId,
          openedAt: hit.at,
          ip: ipHash(hit.ip),
          userAgent: hit.userAgent,
          isBot: verdict.machine,
          botReason: verdict.machine ? (verdict.reason ?? 'machine') : null,
        })),
      );
      await insertEvents(tx, [
        ...rows.flatMap(({ hit, verdict }, i) =>
          verdict.bot || hit.target.contactId === null
            ? []
            : [
                {
                  dedupeKey: `click:${clickIds[i]}`,
                  type: 'email.clicked',
                  contactId: hit.target.contactId,
                  properties: {
                    send_id: hit.target.sendId,
                    campaign: hit.target.campaign,
                    run_id: hit.target.runId,
                    url: hit.target.url,
                    link: hit.target.position,
                  },
                  occurredAt: hit.at,
                  receivedAt: hit.at,
                  source: 'tracking',
                },
              ],
        ),
        ...openRows.flatMap(({ hit, owner, verdict }, i) =>
          verdict.machine
            ? []
            : [
                {
                  dedupeKey: `open:${openIds[i]}`,
                  type: 'email.opened',
                  contactId: owner.contactId,
                  properties: { send_id: hit.sendId, campaign: owner.campaign, run_id: owner.runId },
                  occurredAt: hit.at,
                  receivedAt: hit.at,
                  source: 'tracking',
                },
              ],
        ),
      ]);
      const bots = rows.filter((r) => r.verdict.bot).length;
      const machines = openRows.filter((r) => r.verdict.machine).length;
      if (rows.length) {
        o.metrics.inc(CLICKS, CLICKS_HELP, { kind: 'human' }, rows.length - bots);
        o.metrics.inc(CLICKS, CLICKS_HELP, { kind: 'bot' }, bots);
      }
      if (openRows.length) {
        o.metrics.inc(OPENS, OPENS_HELP, { kind: 'human' }, openRows.length - machines);
        o.metrics.inc(OPENS, OPENS_HELP, { kind: 'machine' }, machines);
      }
      return rows.length + openRows.length;
    });
  }

  const recorder: TrackingRecorder = {
    click(hit) {
      clicks.push(hit);
      schedule();
    },
    open(hit) {
      opens.push(hit);
      schedule();
    },
    flush() {
      // One flush at a time, in order: a click written before a later one of the same send.
      running = running.then(async () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
        const [c, p] = [clicks, opens];
        [clicks, opens] = [[], []];
        if (c.length + p.length === 0) return 0;
        try {
          return await write(c, p);
        } catch (err) {
          o.log.error('could not record clicks/opens; kept for the next flush', err);
          [clicks, opens] = [
            [...c, ...clicks],
            [...p, ...opens],
          ];
          return 0;
        }
      });
      return running;
    },
  };
  return recorder;
}
