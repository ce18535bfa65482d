import { describe, expect, it } from 'vitest';
import { nextSendAfterWait } from '../../src/journey/next-send';
import type { RunState } from '../../src/journey/state';
import { predictRunSends } from '../../src/forecast/journeys';
import { HOUR, abandonedCart, attr, branch, emit, facts, makePlan, send, t0, update, wait, waitUntil } from './factory';

const sleeping = (at: string): RunState => ({
  v: 1,
  at,
  phase: 'sleeping',
  wakeAt: new Date(t0.getTime() + HOUR).toISOString(),
  splits: {},
  trigger: { type: 'checkout.started', occurredAt: t0.toISOString(), properties: {} },
});

/**
 * Priority look-ahead foresees a send only when nothing can change it: the run sleeps in a `wait`
 * and only `update`/`emit` stand between the wait and the send. The forecast's walk marks the
 * same sends (`visibleFrom`), so forecast and engine yield slots to the same sends.
 */
describe('nextSendAfterWait', () => {
  it('sees the send after a wait, through update and emit steps', () => {
    expect(nextSendAfterWait(abandonedCart(), sleeping('steps[0]'))).toEqual({ stepKey: 'steps[1]' });
    const plan = makePlan([wait(HOUR), update({ stage: 'nudged' }), emit('nudge.sent'), send('nudge')]);
    expect(nextSendAfterWait(plan, sleeping('steps[0]'))).toEqual({ stepKey: 'steps[3]' });
  });

  it('does not guess past a branch, at a wait_until, or for a run that is not sleeping', () => {
    const branched = makePlan([wait(HOUR), branch([[attr('contact', 'vip', 'is', true), [send('vip')]]], [send('other')])]);
    expect(nextSendAfterWait(branched, sleeping('steps[0]'))).toBeUndefined();
    const awaiting = makePlan([waitUntil('email.clicked', HOUR, [send('late')])]);
    expect(nextSendAfterWait(awaiting, { ...sleeping('steps[0]'), phase: 'awaiting' })).toBeUndefined();
    expect(nextSendAfterWait(abandonedCart(), { ...sleeping('steps[1]'), phase: 'sending' })).toBeUndefined();
    expect(nextSendAfterWait(makePlan([wait(HOUR)]), sleeping('steps[0]'))).toBeUndefined();
  });

  it('the forecast walk marks exactly the sends the engine foresees', () => {
    const sends = predictRunSends({
      plan: abandonedCart(),
      state: sleeping('steps[0]'),
      wakeAt: new Date(t0.getTime() + HOUR),
      facts: facts(),
      now: t0,
      until: new Date(t0.getTime() + 3 * 24 * HOUR),
    });
    expect(sends.map((s) => [s.template, s.visibleFrom?.toISOString()])).toEqual([
      ['cart-reminder', t0.toISOString()], // the run sleeps in its wait now
      ['cart-last-call', undefined], // after a wait_until's timeout and a branch: not foreseen
    ]);
  });
});
