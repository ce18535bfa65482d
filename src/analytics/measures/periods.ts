/**
 * The input of the period measures (retention, R = N·V·L, cohort tables) and the indexing they
 * share. Periods are labelled strings the caller provides in order (e.g. '2026-01', '2026-Q1');
 * the caller assigns orders to periods in the team's zone. Amounts are in one currency (the caller
 * converts) and are summed in integer minor units of `currency` (src/attribution/money.ts), so
 * every total reconciles to the cent.
 */
import { AppError } from '../../errors';
import { toMinor } from '../../attribution/money';

/**
 * One customer. `cohort` is the period of the customer's first order; `active` maps a period to
 * the customer's net revenue in that period and has an entry only when the customer ordered in it
 * (an entry of 0 still means "active"). Entries for periods not in `periods` are ignored.
 */
export interface PeriodCustomer {
  id: number;
  cohort: string;
  segment?: string;
  active: Readonly<Record<string, number>>;
}

export interface PeriodInput {
  customers: readonly PeriodCustomer[];
  /** Period labels, oldest first, each once. */
  periods: readonly string[];
  /** ISO 4217 code; only its minor-unit digits are used. */
  currency: string;
}

/** A customer with its revenue per period index in minor units (undefined: not active then). */
export interface IndexedCustomer {
  customer: PeriodCustomer;
  /** Index of `cohort` in `periods`; -1 when the cohort is not one of `periods` (taken as earlier than all of them). */
  cohortIndex: number;
  /** `minor[i]`: net revenue in `periods[i]` in minor units, undefined when not active in it. */
  minor: Array<number | undefined>;
}

export interface Indexed {
  periods: readonly string[];
  currency: string;
  customers: IndexedCustomer[];
}

const invalid = (field: string, why: string): never => {
  throw new AppError('validation_failed', `${field}: ${why}`, { details: { field } });
};

/** Validates the input and converts every revenue to minor units, once. */
export function indexPeriods(input: PeriodInput): Indexed {
  const position = new Map<string, number>();
  input.periods.forEach((p, i) => {
    if (position.has(p)) invalid('periods', `duplicate period ${JSON.stringify(p)}`);
    position.set(p, i);
  });
  const customers = input.customers.map((customer): IndexedCustomer => {
    const minor = input.periods.map((p) => {
      if (!Object.hasOwn(customer.active, p)) return undefined;
      const amount = customer.active[p]!;
      if (!Number.isFinite(amount)) invalid('active', `customer ${customer.id}: revenue in ${p} is not a finite number`);
      return toMinor(amount, input.currency);
    });
    return { customer, cohortIndex: position.get(customer.cohort) ?? -1, minor };
  });
  return { periods: input.periods, currency: input.currency, customers };
}
