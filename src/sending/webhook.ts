/**
 * The port outbound webhook calls go through (one adapter per runtime: ./webhook-fetch.ts),
 * and what an answer means. The port only moves bytes; signing and deciding happen in
 * src/scheduler/webhooks-phase.ts, so a test can point the real adapter at a local server.
 */
export interface WebhookRequest {
  url: string;
  /** content-type and the three Standard Webhooks headers. */
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * What came back: an HTTP status (any), or no answer — `timeout` (the deadline passed; the
 * receiver may have had the request) or `network` (refused, reset, DNS). Never thrown: a caller
 * that throws anyway is read as `network`.
 */
export type WebhookResponse =
  { kind: 'answered'; status: number; retryAfterMs?: number } | { kind: 'timeout'; error: string } | { kind: 'network'; error: string };

export interface WebhookCaller {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}

/**
 * `delivered` on 2xx; `retry` on 5xx, 408, 429 (with its Retry-After as a floor), a timeout or a
 * network error; `failed` on anything else — 4xx, and 3xx too (webhooks never follow a redirect:
 * a receiver that moved must be written into the campaign file again).
 */
export type WebhookVerdict =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; error: string; status?: number; retryAfterMs?: number }
  | { kind: 'failed'; error: string; status: number };

export function webhookVerdict(response: WebhookResponse): WebhookVerdict {
  if (response.kind !== 'answered') return { kind: 'retry', error: `${response.kind}: ${response.error}` };
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status >= 500 || status === 408 || status === 429) {
    return {
      kind: 'retry',
      error: `answered ${status}`,
      status,
      ...(response.retryAfterMs === undefined ? {} : { retryAfterMs: response.retryAfterMs }),
    };
  }
  const why = status >= 300 && status < 400 ? ' (a redirect: webhooks do not follow them)' : '';
  return { kind: 'failed', error: `answered ${status}${why}`, status };
}
