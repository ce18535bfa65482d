import type { MessageTransform } from '../render/transforms';
import type { OutgoingMessage } from '../render/types';
import type { Tx } from '../storage/db';
import { upsertLinks } from '../storage/tracking';
import { hostAllowed } from '../lib/hosts';
import { ownLinks } from './own-links';
import { insertOpenPixel, openPixelTag } from './pixel';
import { type LinkPlan, planLinks } from './rewrite-links';
import { clickUrl, openUrl } from './tokens';
import { defaultUtm, type Utm } from './utm';

export interface TrackingLinks {
  publicUrl: string;
  signingKey: string;
  /** LINK_ALLOWED_HOSTS: a link to any other host is sent as written, untracked (empty: any host). */
  allowedHosts?: readonly string[];
}

/**
 * Click and open tracking for a batch of messages about to go out, as a MessageTransform per
 * message: every trackable link (./rewrite-links.ts) becomes `PUBLIC_URL/c/TOKEN` naming a
 * `links` row that records the final target (with the campaign's UTM pairs), and the HTML part
 * gets the open pixel `PUBLIC_URL/o/TOKEN`. The `links` rows of the whole batch are written in
 * ONE statement before any provider call, so a click can never arrive for a link we did not
 * store. Our own links (unsubscribe, preferences, view in browser, confirm) stay untracked, and
 * so does every message `track` says no to (transactional mail: receipts and confirmations are
 * not marketing, and their links must work exactly as sent).
 */
export async function trackMessages(
  tx: Tx,
  messages: Array<{ message: OutgoingMessage; campaign: string; utm?: Utm; track: boolean }>,
  o: TrackingLinks,
): Promise<OutgoingMessage[]> {
  const own = ownLinks(o.publicUrl);
  const allowed = o.allowedHosts ?? [];
  const exclude = (url: string) => own(url) || (allowed.length > 0 && !hostAllowed(new URL(url).hostname, allowed));
  const plans: Array<LinkPlan | undefined> = messages.map((m) =>
    m.track ? planLinks(m.message, { utm: { ...defaultUtm(m.campaign), ...m.utm }, exclude }) : undefined,
  );
  const rows = await upsertLinks(
    tx,
    messages.flatMap((m, i) => (plans[i]?.links ?? []).map((l) => ({ sendId: m.message.sendId, position: l.position, url: l.url }))),
  );
  const ids = new Map(rows.map((r) => [`${r.sendId}:${r.position}`, r.id]));
  return messages.map((m, i) => {
    const plan = plans[i];
    return plan ? trackingTransform(plan, ids, o)(m.message) : m.message;
  });
}

/** The transform of one planned message, once its links have ids. */
function trackingTransform(plan: LinkPlan, ids: ReadonlyMap<string, number>, o: TrackingLinks): MessageTransform {
  return (m) => {
    const { html, text } = plan.rewrite((position) => clickUrl(o.publicUrl, ids.get(`${m.sendId}:${position}`)!, o.signingKey));
    return { ...m, html: insertOpenPixel(html, openPixelTag(openUrl(o.publicUrl, m.sendId, o.signingKey))), text };
  };
}
