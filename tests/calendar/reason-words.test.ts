import { describe, expect, it } from 'vitest';
import { reasonWords } from '../../src/calendar/reason-words';

describe('reasonWords', () => {
  it('says a cap in words', () => {
    expect(reasonWords('cap:any:1/1d')).toBe('frequency cap: at most 1 email per 1d across campaigns');
    expect(reasonWords('cap:email.marketing:3/7d')).toBe('frequency cap: at most 3 email.marketing emails per 7d');
  });

  it('says a slot kept by priority look-ahead in words, naming the campaign it is kept for', () => {
    expect(reasonWords('yield:abandoned-cart:cap:any:1/1d')).toBe(
      'frequency cap: at most 1 email per 1d across campaigns: the slot is kept for abandoned-cart, a higher-priority send due within the window',
    );
  });
});
