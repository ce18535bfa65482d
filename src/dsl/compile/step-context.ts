import type { Node } from 'yaml';
import type { ComplianceGap } from '../../render/compliance';
import type { ConditionContext } from './condition';

/** What compiling a campaign's steps carries from step to step (steps.ts, split.ts). */
export interface StepContext extends Omit<ConditionContext, 'scope'> {
  templates: readonly string[];
  /** What each template would lack as marketing mail (src/render/compliance.ts); absent → not checked. */
  complianceGaps?: ReadonlyMap<string, ComplianceGap[]>;
  /** The campaign's purpose is not transactional: its templates must show an unsubscribe link and the postal address. */
  marketing?: boolean;
  /** Step ids seen so far in this campaign, for duplicates. */
  ids: Map<string, Node>;
  /** WEBHOOK_ALLOWED_HOSTS and the configured secret names, when the caller knows them (src/dsl/compile/webhook.ts). */
  webhooks?: WebhookRules;
  /** `emit` steps, for the cross-campaign cycle check. */
  emits: Array<{ event: string; node: Node }>;
}

/**
 * What the environment says about outbound webhooks, when the compiler is told (config.ts
 * `webhookRulesOf`): hosts outside `allowedHosts` (when non-empty) are errors; with `secrets`,
 * a `secret:` naming none of them, or a step naming none while no default is set, is an error.
 */
export interface WebhookRules {
  allowedHosts: readonly string[];
  secrets?: { names: readonly string[]; hasDefault: boolean };
}
