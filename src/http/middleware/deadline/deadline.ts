import type { MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /**
     * The signal aborted when the request's deadline passes (deadline.ts): paced work stops at
     * its next yield. A function, so requests that never pace anything (nearly all) never build
     * an AbortSignal — Node makes each one transferable, a cost the click redirect felt.
     */
    deadline: () => AbortSignal;
  }
}

/** REQUEST_DEADLINE_MS when unset: no request may hold the server longer. */
export const DEFAULT_REQUEST_DEADLINE_MS = 10_000;

/** Starts the countdown; returns how to cancel it. Tests inject one they fire by hand. */
export type DeadlineTimer = (ms: number, expire: () => void) => () => void;

/**
 * The wall-clock timer: deadlines rounded up to `resolutionMs` share one setTimeout, so a busy
 * server arms a timer per tenth of a second rather than per request (a timer and its
 * cancellation per request were a visible part of the click redirect's cost). A deadline fires
 * at most `resolutionMs` late.
 */
export function sharedTimer(resolutionMs = 100): DeadlineTimer {
  const buckets = new Map<number, Set<() => void>>();
  return (ms, expire) => {
    const at = Math.ceil((Date.now() + ms) / resolutionMs) * resolutionMs;
    let bucket = buckets.get(at);
    if (!bucket) {
      const members = new Set<() => void>();
      bucket = members;
      buckets.set(at, members);
      const t = setTimeout(
        () => {
          buckets.delete(at);
          for (const fire of members) fire();
        },
        Math.max(0, at - Date.now()),
      );
      if (typeof t === 'object' && t && 'unref' in t) t.unref();
    }
    const members = bucket;
    members.add(expire);
    return () => members.delete(expire);
  };
}

export interface DeadlineOptions {
  /** Milliseconds a handler has to answer (REQUEST_DEADLINE_MS). */
  ms: number;
  timer?: DeadlineTimer;
}

/** The reason the deadline signal carries: what a paced loop throws when it notices. */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`the request took longer than its deadline of ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

/**
 * Answers 503 `{ error: { code: 'deadline_exceeded', message, details } }` when the handler has
 * not answered within `ms`. The handler cannot be pre-empted: the middleware aborts the
 * `deadline` signal in the context (`c.get('deadline')()`) so work paced with it
 * (src/forecast/pace.ts) stops at its next yield, and whatever the handler answers later is
 * dropped. Only work that yields to the event loop lets the timer fire at all: long loops must.
 */
export function deadline({ ms, timer = sharedTimer() }: DeadlineOptions): MiddlewareHandler {
  return async function deadlineMiddleware(c, next) {
    let controller: AbortController | undefined;
    let expiredAt = false;
    c.set('deadline', () => {
      controller ??= new AbortController();
      if (expiredAt && !controller.signal.aborted) controller.abort(new DeadlineExceeded(ms));
      return controller.signal;
    });
    let cancel = () => {};
    const expired = new Promise<'expired'>((resolve) => {
      cancel = timer(ms, () => resolve('expired'));
    });
    const handled = next().then(() => 'answered' as const);
    try {
      if ((await Promise.race([handled, expired])) === 'answered') return;
    } finally {
      cancel();
    }
    expiredAt = true;
    controller?.abort(new DeadlineExceeded(ms));
    handled.catch(() => {}); // answered or failed too late: nobody is listening any more
    return c.json(
      {
        error: {
          code: 'deadline_exceeded',
          message: `${c.req.method} ${c.req.path} did not answer within ${ms} ms: ask for less (a shorter range), or retry later`,
          details: { deadlineMs: ms },
        },
      },
      503,
    );
  };
}
