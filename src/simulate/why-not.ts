import { conditionWords } from '../campaigns/words';
import type { Condition, Facts } from '../dsl/condition';
import { evaluate } from '../dsl/conditions/evaluate';

/** A contact's consent for one purpose, as the ledger has it: the words the gate uses too. */
export type ConsentWord = 'granted' | 'withdrawn' | 'pending' | 'none';

const consentWhy: Record<Exclude<ConsentWord, 'granted'>, string> = {
  withdrawn: 'withdrawn',
  pending: 'double opt-in not confirmed yet',
  none: 'never given',
};

/**
 * Why `condition` does not hold for a contact, in words (undefined when it holds), naming the
 * parts that fail rather than the whole: for `all: [consent: email.marketing, attribute: email
 * exists]` with no consent on file, `no consent for email.marketing (never given)` — the words the
 * send gate uses for a suppressed send. Pure; `consent` says what the ledger holds per purpose
 * (absent: never given).
 *
 * @example whyNot(audience, facts, { 'email.marketing': 'withdrawn' }, now) // 'no consent for email.marketing (withdrawn)'
 */
export function whyNot(condition: Condition, facts: Facts, consent: Record<string, ConsentWord>, now: Date): string | undefined {
  if (evaluate(condition, facts, now)) return undefined;
  switch (condition.kind) {
    case 'all':
      return condition.of.flatMap((c) => whyNot(c, facts, consent, now) ?? []).join('; ');
    case 'consent': {
      const state = consent[condition.purpose] ?? 'none';
      return `no consent for ${condition.purpose} (${state === 'granted' ? 'not granted at the time' : consentWhy[state]})`;
    }
    case 'segment':
      return `not in segment ${condition.name} (${whyNot(condition.condition, facts, consent, now) ?? conditionWords(condition.condition)})`;
    case 'not':
      return `excluded: ${conditionWords(condition.of)}`;
    case 'any':
      return `none of: ${conditionWords(condition)}`;
    case 'lifecycle': {
      const stage = facts.contact.lifecycle_stage;
      return `lifecycle stage is ${stage ? stage : 'not set yet'}, not ${condition.stages.join(' or ')}`;
    }
    case 'attribute':
      if (condition.op === 'exists') {
        // `email is set` failing reads as its opposite.
        return conditionWords({ ...condition, value: condition.value === false });
      }
      return `needs ${conditionWords(condition)}`;
    default:
      return `needs ${conditionWords(condition)}`;
  }
}

/** True when every part of the failure is missing consent (then the line needs no "outside the audience"). */
export const onlyConsent = (words: string) => words.split('; ').every((w) => w.startsWith('no consent for '));

/** A refused audience in words: `no consent for …`, else `outside the audience: email is not set`. */
export function audienceWords(why: string): string {
  return onlyConsent(why) ? why : `outside the audience: ${why}`;
}
