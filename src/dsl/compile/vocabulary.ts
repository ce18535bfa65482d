import type { AttributeOp, CountOp } from '../condition';

/**
 * The closed and open word lists of the DSL. Closed lists (keys, step kinds, operators) make an
 * unknown word an error; open lists (events, purposes) only flag a word that is one typo away from
 * a known one, as a warning: custom event types and consent purposes are allowed.
 */
export const campaignKeys = [
  'campaign',
  'name',
  'purpose',
  'priority',
  'trigger',
  'audience',
  're_entry',
  'exit_on',
  'goal',
  'holdout',
  'migrate',
  'utm',
  'steps',
] as const;

export const stepKinds = ['wait', 'wait_until', 'send', 'branch', 'split', 'update', 'emit', 'webhook', 'exit'] as const;
export type StepKindWord = (typeof stepKinds)[number];

/** Keys a step of each kind may carry beside its kind key. */
export const stepSiblings: Record<StepKindWord, readonly string[]> = {
  wait: ['id'],
  wait_until: ['id', 'on_timeout'],
  send: ['id', 'subject', 'data'],
  branch: ['id'],
  split: ['id'],
  update: ['id'],
  emit: ['id', 'properties'],
  webhook: ['id'],
  exit: ['id'],
};

export const triggerKinds = ['event', 'schedule', 'at', 'segment'] as const;

export const conditionHeads = ['all', 'any', 'not', 'attribute', 'event', 'no_event', 'consent', 'lifecycle', 'rfm', 'segment'] as const;
export const attributeOps: readonly AttributeOp[] = [
  'is',
  'is_not',
  'in',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'exists',
  'before',
  'after',
  'anniversary',
];
export const countOps: readonly CountOp[] = ['gte', 'gt', 'lte', 'lt', 'is'];

/** Event types Almanac itself produces or maps from webhooks (DESIGN.md "Events"). */
export const knownEvents = [
  'contact.created',
  'checkout.started',
  'checkout.updated',
  'order.created',
  'order.delivered',
  'order.refunded',
  'order.cancelled',
  'email.delivered',
  'email.opened',
  'email.clicked',
  'email.bounced',
  'email.complained',
  'lifecycle.changed',
  'consent.granted',
  'consent.withdrawn',
  'consent.requested',
] as const;

export const knownPurposes = ['email.marketing', 'email.transactional'] as const;
