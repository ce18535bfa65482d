import { reasonWords } from '../calendar/reason-words';
import type { Tx } from '../storage/db';
import { readTimelineWebhookCalls } from '../storage/timeline';
import { iso } from './local-time';

const PREVIEW_CHARS = 80;

/** A timeline line of a webhook call (the shape of ./timeline.ts's entries, without `local`). */
export interface WebhookEntry {
  time: string;
  contact: string;
  campaign: string;
  step: string;
  label: string;
  outcome: 'would_call' | 'queued' | 'sending' | 'deferred' | 'suppressed' | 'failed' | 'cancelled';
  detail: string;
  /** The stored reason behind `detail`, where there is one. */
  reason?: string;
}

/**
 * The timeline lines of `webhook` steps. The simulation never calls a URL: a call that got as far
 * as the request is `would_call`, with the URL, the rendered body's size and its first characters;
 * one stopped or held by its gate says why, as a send would (`suppressed`, `deferred`…).
 * `localTime(contact, at)` words an instant on the contact's clock.
 */
export async function webhookEntries(
  tx: Tx,
  labelOf: (campaign: string, key: string) => string,
  localTime: (contact: string, at: string | Date) => string,
): Promise<WebhookEntry[]> {
  return (await readTimelineWebhookCalls(tx)).map((w) => {
    const why = w.reason ? reasonWords(w.reason) : undefined;
    const call = `webhook POST ${w.url}`;
    const body = w.body ?? '';
    const preview = body.length > PREVIEW_CHARS ? `${body.slice(0, PREVIEW_CHARS - 1)}…` : body;
    const detail =
      w.status === 'delivered'
        ? `${call} (would call) ${Buffer.byteLength(body)} bytes ${preview}${why ? ` (held before: ${why})` : ''}`
        : w.status === 'deferred'
          ? `${call} held until ${localTime(w.contact, w.not_before)}${why ? ` (${why})` : ''}`
          : `${call}${why ? ` (${why})` : ''}`;
    const outcome = w.status === 'delivered' ? 'would_call' : w.status === 'calling' ? 'sending' : (w.status as WebhookEntry['outcome']);
    return {
      time: iso(w.at),
      contact: w.contact,
      campaign: w.campaign,
      step: w.step_key,
      label: labelOf(w.campaign, w.step_key),
      outcome,
      detail,
      ...(w.reason ? { reason: w.reason } : {}),
    };
  });
}
