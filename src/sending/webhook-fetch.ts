import type { WebhookCaller } from './webhook';

/**
 * The real `WebhookCaller`: one `fetch` POST with a deadline (AbortSignal.timeout), never
 * following a redirect, reading at most a little of the answer (only its status matters).
 * `Retry-After` in seconds is passed on for 429/503.
 */
export function fetchWebhookCaller(): WebhookCaller {
  return {
    async post({ url, headers, body, timeoutMs }) {
      try {
        const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
        // Drain the body so the connection is released (keep-alive); its content is not used.
        await res.body?.cancel().catch(() => {});
        const seconds = Number(res.headers.get('retry-after'));
        return { kind: 'answered', status: res.status, ...(seconds > 0 ? { retryAfterMs: Math.min(seconds, 3600) * 1000 } : {}) };
      } catch (err) {
        const e = err as Error;
        if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { kind: 'timeout', error: `no answer within ${timeoutMs} ms` };
        const cause = (e as Error & { cause?: { code?: string; message?: string } })?.cause;
        return { kind: 'network', error: cause?.code ?? cause?.message ?? e?.message ?? String(err) };
      }
    },
  };
}
