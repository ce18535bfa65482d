/**
 * When to try a transient failure again: exponential from `baseMs` (5 s, 10 s, 20 s, …) capped at
 * `capMs` (10 min), with "equal jitter" (half fixed, half random) so a throttled batch does not
 * return as one wave. A provider's `retryAfterMs` is honoured as a floor. `random` is injected
 * (tests pass a fixed source).
 */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
}

export function retryDelayMs(
  attempt: number,
  random: () => number,
  retryAfterMs = 0,
  { baseMs = 5_000, capMs = 600_000 }: BackoffOptions = {},
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.min(capMs, Math.max(jittered, retryAfterMs)));
}
