import { describe, expect, it } from 'vitest';
import { customerValues } from '../../../src/analytics/measures';
import { COSTS, VALUE_CUSTOMERS } from './fixture';

describe('customer value', () => {
  const values = customerValues(VALUE_CUSTOMERS, COSTS, 'PLN');
  const pick = (id: number) => values.find((v) => v.id === id)!;

  it('uses the channel cost, and the per-contact cost for a channel not listed', () => {
    // 1: acquisition 45.50 (paid); service 2.50 × 4 + 12 × 365/365 = 10 + 12 = 22; cost 67.50; value 300 − 67.50 = 232.50.
    expect(pick(1)).toEqual({
      id: 1,
      segment: 'A',
      revenue: 300,
      acquisitionCost: 45.5,
      acquisitionSource: 'channel',
      serviceCost: 22,
      serviceSource: 'configured',
      service: { perOrder: 10, perYear: 12 },
      cost: 67.5,
      value: 232.5,
    });
    // 2: 'organic' is not listed → 20 per contact; service 5 + 12 × 730/365 = 5 + 24 = 29; cost 49; value 31.
    expect([pick(2).acquisitionCost, pick(2).acquisitionSource, pick(2).serviceCost, pick(2).cost, pick(2).value]).toEqual([
      20,
      'perContact',
      29,
      49,
      31,
    ]);
  });

  it('rounds the per-year service part to the grosz', () => {
    // 3: acquisition 5 (referral); per year 1200 gr × 100 / 365 = 328.77 gr → 3.29; service 2.50 + 3.29 = 5.79;
    // cost 10.79; value 40 − 10.79 = 29.21.
    expect(pick(3).service).toEqual({ perOrder: 2.5, perYear: 3.29 });
    expect([pick(3).serviceCost, pick(3).cost, pick(3).value]).toEqual([5.79, 10.79, 29.21]);
  });

  it('lets a contact attribute override the configured acquisition or service cost', () => {
    // 4: attribute acquisition 120 overrides 'paid' 45.50; service 7.50 + 1200 × 200/365 = 657.53 gr → 6.58 = 14.08;
    // cost 134.08; value 150 − 134.08 = 15.92.
    expect([pick(4).acquisitionCost, pick(4).acquisitionSource, pick(4).serviceCost, pick(4).cost, pick(4).value]).toEqual([
      120,
      'attribute',
      14.08,
      134.08,
      15.92,
    ]);
    // 5: no channel → 20; attribute service 15 replaces per-order and per-year; cost 35; value 10 − 35 = −25.
    expect(pick(5)).toMatchObject({
      acquisitionCost: 20,
      serviceCost: 15,
      serviceSource: 'attribute',
      service: { perOrder: 0, perYear: 0 },
      value: -25,
    });
    // 6: an attribute of 0 still overrides; service 2.50; value 0.10 − 2.50 = −2.40.
    expect(pick(6)).toMatchObject({ acquisitionCost: 0, acquisitionSource: 'attribute', serviceCost: 2.5, value: -2.4 });
    expect(pick(6)).not.toHaveProperty('segment');
  });

  it('costs nothing without configuration, and refuses bad input', () => {
    expect(customerValues([{ id: 1, revenue: 9.99, orders: 3, tenureDays: 90 }], {}, 'PLN')[0]).toMatchObject({
      acquisitionSource: 'none',
      cost: 0,
      value: 9.99,
    });
    expect(() => customerValues([{ id: 1, revenue: 1, orders: 1.5, tenureDays: 1 }], {}, 'PLN')).toThrow(/orders/);
    expect(() => customerValues([{ id: 1, revenue: 1, orders: 1, tenureDays: -1 }], {}, 'PLN')).toThrow(/tenureDays/);
  });
});
