import type { Node } from 'yaml';
import type { ConditionContext } from './condition';

/** What compiling a campaign's steps carries from step to step (steps.ts, split.ts). */
export interface StepContext extends Omit<ConditionContext, 'scope'> {
  templates: readonly string[];
  /** Step ids seen so far in this campaign, for duplicates. */
  ids: Map<string, Node>;
  /** `emit` steps, for the cross-campaign cycle check. */
  emits: Array<{ event: string; node: Node }>;
}
