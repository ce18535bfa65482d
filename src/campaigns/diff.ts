import { createHash } from 'node:crypto';
import type { CampaignPlan, Project } from '../dsl/plan';
import type { StoredVersion } from '../storage/campaign-versions';
import type { StoredTemplateFile } from '../storage/template-files';
import { canonicalJson, describeStep, stepSignature, walkSteps } from '../dsl/walk';

/** What the database holds now for one campaigns-folder file (the newest version). */

export interface StepChange {
  key: string;
  change: 'added' | 'changed' | 'removed';
  /** `send cart-reminder`, or `old → new` for a change. */
  description: string;
}

export type Change =
  | { kind: 'campaign'; action: 'add'; campaign: string; version: number; plan: CampaignPlan; hash: string; source: string }
  | {
      kind: 'campaign';
      action: 'change';
      campaign: string;
      fromVersion: number;
      version: number;
      plan: CampaignPlan;
      previous: CampaignPlan;
      hash: string;
      source: string;
      steps: StepChange[];
      migrate: boolean;
    }
  | { kind: 'campaign'; action: 'remove'; campaign: string; version: number; versionId: number }
  | { kind: 'calendar' | 'segments'; action: 'add' | 'change'; version: number; plan: unknown; hash: string };

/** A file under templates/ added, changed or removed (`text` null) since the newest stored version. */
export interface TemplateChange {
  action: 'add' | 'change' | 'remove';
  /** Relative to templates/, with `/`: `cart-reminder/html.hbs`. */
  path: string;
  /** The version this apply stores (a removal is stored as a version without content). */
  version: number;
  hash: string;
  text: string | null;
  /** The campaigns whose send steps use the template this file belongs to (its first folder). */
  usedBy: string[];
}

export interface ApplyPlan {
  changes: Change[];
  unchanged: string[];
  /** Template files: empty when the project carried none (src/dsl/plan.ts `templateFiles`). */
  templates: TemplateChange[];
  templatesUnchanged: number;
}

export const contentHash = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Pure: compare the compiled project with the newest stored versions. A campaign changes when its
 * file's content hash does; calendar.yaml and segments.yaml when their compiled form does (they
 * have no single source text). Steps are compared by key (src/dsl/walk.ts `stepSignature`).
 */
export function diffProject(stored: StoredVersion[], project: Project, storedTemplates: StoredTemplateFile[] = []): ApplyPlan {
  const byKey = new Map(stored.map((v) => [`${v.kind}:${v.campaign}`, v]));
  const changes: Change[] = [];
  const unchanged: string[] = [];
  for (const plan of [...project.campaigns].sort((a, b) => a.id.localeCompare(b.id))) {
    const source = project.sources[plan.id] ?? canonicalJson(plan);
    const hash = contentHash(source);
    const current = byKey.get(`campaign:${plan.id}`);
    if (!current) changes.push({ kind: 'campaign', action: 'add', campaign: plan.id, version: 1, plan, hash, source });
    else if (current.retired) {
      changes.push({ kind: 'campaign', action: 'add', campaign: plan.id, version: current.version + 1, plan, hash, source });
    } else if (current.contentHash === hash) unchanged.push(plan.id);
    else {
      const previous = current.plan as CampaignPlan;
      changes.push({
        kind: 'campaign',
        action: 'change',
        campaign: plan.id,
        fromVersion: current.version,
        version: current.version + 1,
        plan,
        previous,
        hash,
        source,
        steps: diffSteps(previous, plan),
        migrate: plan.migrate,
      });
    }
  }
  const present = new Set(project.campaigns.map((c) => c.id));
  for (const v of stored) {
    if (v.kind === 'campaign' && !v.retired && !present.has(v.campaign)) {
      changes.push({ kind: 'campaign', action: 'remove', campaign: v.campaign, version: v.version, versionId: v.id });
    }
  }
  for (const [kind, plan] of [
    ['calendar', project.calendar],
    ['segments', project.segments],
  ] as const) {
    const hash = contentHash(canonicalJson(plan));
    const current = byKey.get(`${kind}:${kind}`);
    if (current?.contentHash === hash) unchanged.push(`${kind}.yaml`);
    else changes.push({ kind, action: current ? 'change' : 'add', version: (current?.version ?? 0) + 1, plan, hash });
  }
  return { changes, unchanged, ...diffTemplates(storedTemplates, project) };
}

/**
 * Pure: the template files of the project against the newest stored version of each path, by
 * content hash. A project without `templateFiles` (an older client) changes none of them.
 */
export function diffTemplates(stored: StoredTemplateFile[], project: Project): Pick<ApplyPlan, 'templates' | 'templatesUnchanged'> {
  if (!project.templateFiles) return { templates: [], templatesUnchanged: 0 };
  const byPath = new Map(stored.map((f) => [f.path, f]));
  const users = new Map<string, string[]>();
  for (const plan of project.campaigns)
    for (const step of walkSteps(plan.steps))
      if (step.kind === 'send' && !users.get(step.template)?.includes(plan.id))
        users.set(step.template, [...(users.get(step.template) ?? []), plan.id]);
  const usedBy = (path: string) => [...(users.get(path.split('/')[0]!) ?? [])].sort();
  const templates: TemplateChange[] = [];
  let templatesUnchanged = 0;
  for (const file of project.templateFiles) {
    const hash = contentHash(file.text);
    const current = byPath.get(file.path);
    if (current && !current.removed && current.contentHash === hash) templatesUnchanged++;
    else
      templates.push({
        action: current && !current.removed ? 'change' : 'add',
        path: file.path,
        version: (current?.version ?? 0) + 1,
        hash,
        text: file.text,
        usedBy: usedBy(file.path),
      });
  }
  const present = new Set(project.templateFiles.map((f) => f.path));
  for (const f of stored)
    if (!f.removed && !present.has(f.path))
      templates.push({ action: 'remove', path: f.path, version: f.version + 1, hash: contentHash(''), text: null, usedBy: usedBy(f.path) });
  return { templates: templates.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), templatesUnchanged };
}

/** Steps added, changed or removed between two versions of a campaign, by key, in source order. */
export function diffSteps(previous: CampaignPlan, next: CampaignPlan): StepChange[] {
  const before = new Map([...walkSteps(previous.steps)].map((s) => [s.key, s]));
  const after = new Map([...walkSteps(next.steps)].map((s) => [s.key, s]));
  const out: StepChange[] = [];
  for (const [key, step] of after) {
    const old = before.get(key);
    if (!old) out.push({ key, change: 'added', description: describeStep(step) });
    else if (stepSignature(old) !== stepSignature(step)) {
      const [a, b] = [describeStep(old), describeStep(step)];
      out.push({ key, change: 'changed', description: a === b ? `${a} (settings changed)` : `${a} → ${b}` });
    }
  }
  for (const [key, step] of before) {
    if (!after.has(key)) out.push({ key, change: 'removed', description: describeStep(step) });
  }
  return out;
}
