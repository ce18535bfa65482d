/**
 * Customer value = net revenue − (acquisition cost + service cost), in major units, every cost
 * computed and summed in integer minor units (src/attribution/money.ts).
 *
 * - Acquisition cost: the customer's `attributeCosts.acquisition` when set (a contact attribute
 *   overrides the configured cost), else `acquisitionByChannel[channel]` when the customer has a
 *   channel listed there, else `acquisitionPerContact`, else 0.
 * - Service cost: the customer's `attributeCosts.service` when set, else
 *   servicePerOrder · orders + servicePerContactPerYear · tenureDays / 365 (a year is 365 days),
 *   the per-year part rounded half away from zero to the minor unit; a missing rate counts as 0.
 */
import { AppError } from '../../errors';
import { fromMinor, toMinor } from '../../attribution/money';

export interface CostConfig {
  acquisitionPerContact?: number;
  acquisitionByChannel?: Readonly<Record<string, number>>;
  servicePerOrder?: number;
  servicePerContactPerYear?: number;
}

export interface ValueCustomer {
  id: number;
  /** Net revenue over the customer's life so far. */
  revenue: number;
  orders: number;
  channel?: string;
  segment?: string;
  tenureDays: number;
  attributeCosts?: { acquisition?: number; service?: number };
}

export type AcquisitionSource = 'attribute' | 'channel' | 'perContact' | 'none';
export type ServiceSource = 'attribute' | 'configured';

export interface CustomerValue {
  id: number;
  segment?: string;
  revenue: number;
  acquisitionCost: number;
  acquisitionSource: AcquisitionSource;
  /** serviceCost = perOrder + perYear when configured; the attribute's amount otherwise (both parts 0). */
  serviceCost: number;
  serviceSource: ServiceSource;
  service: { perOrder: number; perYear: number };
  cost: number;
  value: number;
}

const invalid = (field: string, why: string): never => {
  throw new AppError('validation_failed', `${field}: ${why}`, { details: { field } });
};

function roundHalfAway(x: number): number {
  const r = Math.round(Math.abs(Number(x.toPrecision(15))));
  return x < 0 && r !== 0 ? -r : r;
}

/** Value of each customer, in input order. */
export function customerValues(customers: readonly ValueCustomer[], costs: CostConfig, currency: string): CustomerValue[] {
  const minor = (x: number | undefined): number => (x === undefined ? 0 : toMinor(x, currency));
  const major = (m: number): number => fromMinor(m, currency);
  return customers.map((c) => {
    if (!Number.isFinite(c.revenue)) invalid('revenue', `customer ${c.id}: not a finite number`);
    if (!Number.isInteger(c.orders) || c.orders < 0) invalid('orders', `customer ${c.id}: must be an integer ≥ 0`);
    if (!(c.tenureDays >= 0)) invalid('tenureDays', `customer ${c.id}: must be a number ≥ 0`);
    let acquisition: number;
    let acquisitionSource: AcquisitionSource;
    const byChannel = costs.acquisitionByChannel;
    if (c.attributeCosts?.acquisition !== undefined) {
      acquisition = minor(c.attributeCosts.acquisition);
      acquisitionSource = 'attribute';
    } else if (c.channel !== undefined && byChannel !== undefined && Object.hasOwn(byChannel, c.channel)) {
      acquisition = minor(byChannel[c.channel]);
      acquisitionSource = 'channel';
    } else if (costs.acquisitionPerContact !== undefined) {
      acquisition = minor(costs.acquisitionPerContact);
      acquisitionSource = 'perContact';
    } else {
      acquisition = 0;
      acquisitionSource = 'none';
    }
    let perOrder = 0;
    let perYear = 0;
    let service: number;
    let serviceSource: ServiceSource;
    if (c.attributeCosts?.service !== undefined) {
      service = minor(c.attributeCosts.service);
      serviceSource = 'attribute';
    } else {
      perOrder = minor(costs.servicePerOrder) * c.orders;
      perYear = roundHalfAway((minor(costs.servicePerContactPerYear) * c.tenureDays) / 365);
      service = perOrder + perYear;
      serviceSource = 'configured';
    }
    const revenue = minor(c.revenue);
    const cost = acquisition + service;
    return {
      id: c.id,
      ...(c.segment !== undefined ? { segment: c.segment } : {}),
      revenue: major(revenue),
      acquisitionCost: major(acquisition),
      acquisitionSource,
      serviceCost: major(service),
      serviceSource,
      service: { perOrder: major(perOrder), perYear: major(perYear) },
      cost: major(cost),
      value: major(revenue - cost),
    };
  });
}
