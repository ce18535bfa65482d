import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/journey';
import {
  at,
  attr,
  begin,
  branch,
  emit,
  event,
  exit,
  facts,
  HOUR,
  makePlan,
  send,
  split,
  t0,
  update,
  wait,
  waitUntil,
  step,
} from './factory';

const MIN_10 = 10 * 60_000;

describe('instantaneous steps run in one call, in order', () => {
  it('send passes template, subject and data; emit defaults properties to {}; update reports its attributes', () => {
    const plan = makePlan([
      send('welcome-1', { subject: 'Hi {{contact.first_name}}', data: { code: 'X1' } }),
      update({ tier: 'gold' }),
      emit('welcome.sent'),
      emit('welcome.tagged', { via: 'journey' }),
    ]);
    expect(begin(plan).effects).toEqual([
      { kind: 'send', stepKey: 'steps[0]', template: 'welcome-1', subject: 'Hi {{contact.first_name}}', data: { code: 'X1' } },
      { kind: 'update', stepKey: 'steps[1]', attributes: { tier: 'gold' } },
      { kind: 'emit', stepKey: 'steps[2]', event: 'welcome.sent', properties: {} },
      { kind: 'emit', stepKey: 'steps[3]', event: 'welcome.tagged', properties: { via: 'journey' } },
      { kind: 'exit', reason: 'completed' },
    ]);
  });

  it('a send without subject or data carries neither key (the row payload stays minimal)', () => {
    const [effect] = begin(makePlan([send('plain')])).effects;
    expect(Object.keys(effect!)).toEqual(['kind', 'stepKey', 'template']);
  });

  it('an `id:` becomes the step key used by sends', () => {
    expect(begin(makePlan([send('a', { id: 'first-mail' })])).effects[0]).toMatchObject({ stepKey: 'first-mail' });
  });

  it('exit stops the run before later steps', () => {
    const result = begin(makePlan([send('a'), exit(), send('never')]));
    expect(result.effects).toEqual([
      { kind: 'send', stepKey: 'steps[0]', template: 'a' },
      { kind: 'exit', reason: 'exit_step' },
    ]);
    expect(result.state).toMatchObject({ phase: 'done', at: null, exitReason: 'exit_step' });
  });

  it('a campaign with no steps completes on start', () => {
    const plan = makePlan([]);
    const state = initialState(plan, event('checkout.started', t0), undefined);
    expect(state).toMatchObject({ at: null, phase: 'ready' });
    expect(step(plan, state, { kind: 'start', facts: facts() }, t0).effects).toEqual([{ kind: 'exit', reason: 'completed' }]);
  });
});

describe('wait and wait_until', () => {
  it('wait sleeps for its duration from now, then continues with the next step', () => {
    const plan = makePlan([send('a'), wait(2 * HOUR), send('b')]);
    const first = begin(plan);
    expect(first.effects).toEqual([
      { kind: 'send', stepKey: 'steps[0]', template: 'a' },
      { kind: 'wake_at', at: at(2 * HOUR) },
    ]);
    expect(first.state).toMatchObject({ at: 'steps[1]', phase: 'sleeping' });
    const late = step(plan, first.state, { kind: 'wake', facts: facts() }, at(3 * HOUR));
    expect(late.effects).toEqual([
      { kind: 'send', stepKey: 'steps[2]', template: 'b' },
      { kind: 'exit', reason: 'completed' },
    ]);
  });

  it('consecutive waits each start from the wake that ended the previous one', () => {
    const plan = makePlan([wait(HOUR), wait(HOUR), send('b')]);
    const first = begin(plan);
    const second = step(plan, first.state, { kind: 'wake', facts: facts() }, at(90 * 60_000));
    expect(second.effects).toEqual([{ kind: 'wake_at', at: at(150 * 60_000) }]);
    expect(second.state.at).toBe('steps[1]');
  });

  it('a wait_until with no on_timeout just continues after the timeout', () => {
    const plan = makePlan([waitUntil('email.opened', HOUR), send('after')]);
    const first = begin(plan);
    expect(first.state).toMatchObject({ at: 'steps[0]', phase: 'awaiting', wakeAt: at(HOUR).toISOString() });
    const timeout = step(plan, first.state, { kind: 'wake', facts: facts() }, at(HOUR));
    expect(timeout.effects[0]).toEqual({ kind: 'send', stepKey: 'steps[1]', template: 'after' });
  });

  it('on_timeout steps run, then the steps after the wait_until', () => {
    const plan = makePlan([waitUntil('email.opened', HOUR, [send('nudge')]), send('after')]);
    const timeout = step(plan, begin(plan).state, { kind: 'wake', facts: facts() }, at(HOUR));
    expect(timeout.effects.map((e) => e.kind === 'send' && e.stepKey)).toEqual(['steps[0].on_timeout[0]', 'steps[1]', false]);
  });

  it('a matching event skips on_timeout and continues after the wait_until', () => {
    const plan = makePlan([waitUntil('email.opened', HOUR, [send('nudge')]), send('after')]);
    const opened = step(plan, begin(plan).state, { kind: 'event', event: event('email.opened', at(MIN_10)), facts: facts() }, at(MIN_10));
    expect(opened.effects).toEqual([
      { kind: 'send', stepKey: 'steps[1]', template: 'after' },
      { kind: 'exit', reason: 'completed' },
    ]);
  });
});

describe('branch', () => {
  const gold = attr('attributes', 'tier', 'is', 'gold');

  it('takes the first arm whose condition holds, then continues after the branch', () => {
    const plan = makePlan([
      branch(
        [
          [attr('attributes', 'spend', 'gte', 500), [send('vip')]],
          [attr('attributes', 'spend', 'gte', 100), [send('regular')]],
        ],
        [send('newcomer')],
      ),
      send('after'),
    ]);
    const sendsFor = (spend: number) =>
      begin(plan, {}, facts({ attributes: { spend } })).effects.flatMap((e) => (e.kind === 'send' ? [e.stepKey] : []));
    expect(sendsFor(900)).toEqual(['steps[0].branch[0].steps[0]', 'steps[1]']);
    expect(sendsFor(200)).toEqual(['steps[0].branch[1].steps[0]', 'steps[1]']);
    expect(sendsFor(5)).toEqual(['steps[0].branch.otherwise[0]', 'steps[1]']);
  });

  it('an empty arm or otherwise continues after the branch', () => {
    const plan = makePlan([branch([[gold, []]]), send('after')]);
    expect(begin(plan, {}, facts({ attributes: { tier: 'gold' } })).effects[0]).toMatchObject({ stepKey: 'steps[1]' });
    expect(begin(plan).effects[0]).toMatchObject({ stepKey: 'steps[1]' });
  });

  it('sees an update made earlier in the same call, without changing the caller’s facts', () => {
    const plan = makePlan([update({ tier: 'gold' }), branch([[gold, [send('gold')]]], [send('plain')])]);
    const f = facts({ attributes: { tier: 'silver' } });
    expect(begin(plan, {}, f).effects[1]).toMatchObject({ template: 'gold' });
    expect(f.contact.attributes).toEqual({ tier: 'silver' });
  });

  it('conditions on events use the facts passed in (welcome: purchased within 7d)', () => {
    const bought = { kind: 'event', type: 'order.created', count: { op: 'gte', n: 1 }, withinMs: 7 * 24 * HOUR } as const;
    const plan = makePlan([branch([[bought, [send('thanks')]]], [send('first-order')])]);
    expect(begin(plan, {}, facts({ events: [event('order.created', at(-HOUR))] })).effects[0]).toMatchObject({ template: 'thanks' });
    expect(begin(plan, {}, facts({ events: [event('order.created', at(-8 * 24 * HOUR))] })).effects[0]).toMatchObject({
      template: 'first-order',
    });
  });

  it('nested lists continue outward: a branch inside a split arm, then the step after the split', () => {
    const plan = makePlan([split({ A: [100, [branch([[gold, [send('a-gold')]]], [send('a-plain')])]] }), send('after')]);
    expect(begin(plan).effects.flatMap((e) => (e.kind === 'send' ? [e.stepKey] : []))).toEqual([
      'steps[0].split.A[0].branch.otherwise[0]',
      'steps[1]',
    ]);
  });
});
