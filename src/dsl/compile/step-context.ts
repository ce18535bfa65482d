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
  /** `emit` steps, for the cross-campaign cycle check. */
  emits: Array<{ event: string; node: Node }>;
}
