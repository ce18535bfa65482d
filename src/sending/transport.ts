import type { OutgoingMessage } from '../render/types';

export type { OutgoingMessage };

export type SendOutcome =
  | { status: 'sent'; providerMessageId: string }
  /** Transient: throttling, 5xx, network. The dispatcher backs off and tries again. */
  | { status: 'retry'; error: string; retryAfterMs?: number }
  /** Permanent: the provider refused this message (rejected address, bad sender). Not retried. */
  | { status: 'failed'; error: string }
  /** The account cannot send at all: the dispatcher stops and raises `dispatch.paused`. */
  | { status: 'paused'; error: string }
  /**
   * The request may have reached the provider and no answer came back (a request timeout, a
   * reset connection): it may have been sent. The send becomes `unknown` and is never retried —
   * exactly once beats at least once; the provider's delivery notification settles it.
   */
  | { status: 'unknown'; error: string };

/**
 * The port every mail provider sits behind (outbox.ts, ses.ts). One method, and its
 * expected failures are values, not exceptions, so the dispatcher has one channel to read:
 * a transport that throws anyway is treated as `retry` (a bug or a network blip must never
 * turn into a lost or doubled message).
 */
export interface Transport {
  readonly name: string;
  /**
   * True when a `sent` answer is committed in the same database transaction as the send's
   * `sent` status (the outbox): such a call is never in doubt, so the dispatcher does not stamp
   * `handed_at` before it and a crash mid-call just puts the send back in the queue.
   */
  readonly commitsWithSend?: boolean;
  /** `claim.leaseUntil`: the dispatcher's claim of the send (a transport that writes the send's status matches it). */
  send(message: OutgoingMessage, claim?: { leaseUntil: Date }): Promise<SendOutcome>;
}
