import type { SnsHttp } from './feedback/ports';

/**
 * The real `SnsHttp`: `fetch`, with a timeout, never following a redirect (so an SNS URL that
 * answered with one cannot lead Almanac to another host), bodies capped at 1 MiB.
 */
export function fetchSnsHttp(options: { timeoutMs?: number; maxBytes?: number } = {}): SnsHttp {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? 1_048_576;
  return {
    async get(url) {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      const body = await res.text();
      if (body.length > maxBytes) throw new Error(`${url.href} answered more than ${maxBytes} bytes`);
      return { status: res.status, body };
    },
  };
}
