import type { Condition } from '../dsl/condition';
import { currentConsent } from '../storage/consent';
import type { Tx } from '../storage/db';
import { loadFacts } from '../storage/facts';
import { type ConsentWord, whyNot } from './why-not';

/** A condition that kept a contact out at a moment (an audience at a trigger, a segment at the end). */
export interface Refusal {
  contactId: number;
  at: Date;
  condition: Condition;
  /** The triggering event's properties, for `trigger.` / `cart.` paths. */
  trigger?: Record<string, unknown>;
}

/**
 * Why each refusal happened, in words (whyNot over the contact's facts and consent ledger as they
 * stood at that moment; attributes are as they are now, after the run's `update` steps), or
 * undefined where the condition holds after all. One facts read per distinct moment.
 */
export async function explainRefusals(tx: Tx, refusals: readonly Refusal[]): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = refusals.map(() => undefined);
  const byMoment = new Map<number, number[]>();
  refusals.forEach((r, i) => byMoment.set(r.at.getTime(), [...(byMoment.get(r.at.getTime()) ?? []), i]));
  for (const [ms, indexes] of byMoment) {
    const now = new Date(ms);
    const ids = [...new Set(indexes.map((i) => refusals[i]!.contactId))];
    const facts = await loadFacts(tx, ids, { now });
    const ledger = new Map<number, Record<string, ConsentWord>>();
    for (const c of await currentConsent(tx, ids, { asOf: now })) {
      ledger.set(c.contactId, {
        ...ledger.get(c.contactId),
        [c.purpose]: c.granted ? 'granted' : c.pending ? 'pending' : 'withdrawn',
      });
    }
    for (const i of indexes) {
      const r = refusals[i]!;
      const f = facts.get(r.contactId);
      if (f) out[i] = whyNot(r.condition, r.trigger ? { ...f, trigger: r.trigger } : f, ledger.get(r.contactId) ?? {}, now);
    }
  }
  return out;
}
