import { appendConsent, currentConsent } from '../storage/consent';
import type { Tx } from '../storage/db';

export interface ConsentChanges {
  contactId: number;
  /** purpose → granted (true) or withdrawn (false). */
  wanted: Record<string, boolean>;
  /** How: `unsubscribe_link`, `preference_centre`, `complaint`, … */
  source: string;
  /** What the person did or agreed to, in words an auditor reads, per purpose and direction. */
  text: (purpose: string, granted: boolean) => string;
  /** The version of that text (e.g. the preference centre's wording), when there is one. */
  textVersion?: string;
  ip?: string | null;
  userAgent?: string | null;
  now: Date;
  /** Withdraw pending double opt-in requests of the purposes withdrawn too (their links stop working). */
  cancelPending?: boolean;
}

/**
 * Record what a person chose, appending one ledger row per purpose whose current state differs
 * (a mail client that POSTs the one-click URL twice, or a page saved unchanged, adds nothing).
 * Returns the purposes that changed. In the caller's transaction, so the change is committed
 * before the answer — and the dispatcher's gate, which re-reads consent right before every
 * provider call, honours a withdrawal for any send claimed after that.
 */
export async function recordConsentChanges(tx: Tx, c: ConsentChanges): Promise<string[]> {
  const purposes = Object.keys(c.wanted);
  if (purposes.length === 0) return [];
  const current = new Map((await currentConsent(tx, [c.contactId], { purposes })).map((s) => [s.purpose, s]));
  // No row means not granted: withdrawing a purpose never granted records nothing. A double
  // opt-in request still pending counts as not granted — a grant here (from a link that reached
  // the person's own mailbox) grants it outright — and is withdrawn only by `cancelPending`.
  const changed = purposes.filter((p) => {
    const state = current.get(p);
    return (state?.granted ?? false) !== c.wanted[p] || (state?.pending === true && !c.wanted[p] && c.cancelPending === true);
  });
  await appendConsent(
    tx,
    changed.map((purpose) => ({
      contactId: c.contactId,
      purpose,
      granted: c.wanted[purpose]!,
      text: c.text(purpose, c.wanted[purpose]!),
      textVersion: c.textVersion ?? null,
      source: c.source,
      ip: c.ip ?? null,
      userAgent: c.userAgent ?? null,
      occurredAt: c.now,
    })),
  );
  return changed;
}

/** Withdraw `purposes`, pending requests included (see recordConsentChanges); returns those that were not withdrawn already. */
export function withdrawConsent(
  tx: Tx,
  w: Omit<ConsentChanges, 'wanted' | 'text'> & { purposes: string[]; text: string },
): Promise<string[]> {
  const { purposes, text, ...rest } = w;
  return recordConsentChanges(tx, {
    ...rest,
    wanted: Object.fromEntries(purposes.map((p) => [p, false])),
    text: () => text,
    cancelPending: true,
  });
}
